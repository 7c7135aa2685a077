package configurator

import (
	"context"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// AsteriskAPI is what a Configurator calls on Asterisk: the methods of
// *resources.Asterisk it uses. Config.Asterisk takes one so that a test
// can substitute some calls, e.g. with a struct that embeds a
// *resources.Asterisk and overrides GetInfo.
type AsteriskAPI interface {
	GetInfo(ctx context.Context, p *resources.AsteriskGetInfoParams) (*ari.AsteriskInfo, error)
	GetObject(ctx context.Context, configClass, objectType, id string) ([]ari.ConfigTuple, error)
	UpdateObject(ctx context.Context, configClass, objectType, id string, p *resources.AsteriskUpdateObjectParams) ([]ari.ConfigTuple, error)
	DeleteObject(ctx context.Context, configClass, objectType, id string) error
}

var _ AsteriskAPI = (*resources.Asterisk)(nil)
