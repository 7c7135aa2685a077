package stasis

import "fmt"

// OwnedError reports a channel that another call of the app already owns.
type OwnedError struct {
	// ID is the channel.
	ID string
	// App is the application.
	App string
	// Owner is the channel id of the call that owns it.
	Owner string
}

func (e *OwnedError) Error() string {
	return fmt.Sprintf("stasis: channel %s is owned by call %s of app %s", e.ID, e.Owner, e.App)
}
