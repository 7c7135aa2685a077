package configurator

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"gostasis.dev/ari"
	"gostasis.dev/ari/resources"
)

// Config configures a Configurator.
type Config struct {
	// Client is the ARI client. Required unless Asterisk is set.
	Client *ari.Client
	// Asterisk, if set, replaces resources.New(Client).Asterisk: the
	// calls the configurator makes (GetObject, UpdateObject, DeleteObject,
	// GetInfo), for tests that substitute them.
	Asterisk AsteriskAPI

	// Prune deletes the objects removed from the declaration (by Set or
	// Remove) at the next Reconcile. Only objects this Configurator
	// declared are ever deleted; see the package documentation.
	Prune bool

	// Normalizers is the table of field rules. Nil means
	// DefaultNormalizers().
	Normalizers *Normalizers

	// Logger receives the reports (Info when something changed, Debug
	// when nothing did, Error with the errors) and warnings about fields
	// Asterisk stores differently than declared. Default: the client's
	// logger.
	Logger *slog.Logger
	// OnReport, if set, is called after every Reconcile (including those
	// OnConnect runs) with its report and error, before Reconcile returns.
	// It must not call Reconcile.
	OnReport func(Report, error)
}

// Configurator keeps Asterisk's dynamic configuration objects as an app
// declares them. Declare, Set, Remove and Retire change what it wants;
// Reconcile (on demand) and OnConnect (from the stasis runtime) make
// Asterisk match. It is safe for concurrent use: reconciliations run one
// at a time, and the declaration may change while one runs (the change
// takes effect at the next).
type Configurator struct {
	api      AsteriskAPI
	norm     *Normalizers
	log      *slog.Logger
	prune    bool
	onReport func(Report, error)

	runMu     sync.Mutex // one Reconcile at a time
	connectMu sync.Mutex // one OnConnect at a time

	mu       sync.Mutex
	gen      uint64           // bumped by every change of the declaration
	order    []Ref            // declaration order
	declared map[Ref]Object   // what the app wants
	applied  map[Ref][]string // field names of the declaration last applied, per object
	retired  map[Ref]uint64   // objects to delete, with the gen that retired them
	cleanGen uint64           // gen of the last Reconcile without error
	clean    bool             // the last Reconcile had no error
	startup  time.Time        // Asterisk's startup_time when OnConnect last reconciled
	started  bool             // startup is set
}

// New returns a Configurator with nothing declared. It contacts nothing.
func New(cfg Config) (*Configurator, error) {
	api := cfg.Asterisk
	if api == nil {
		if cfg.Client == nil {
			return nil, errors.New("configurator: Config.Client is required")
		}
		api = resources.New(cfg.Client).Asterisk
	}
	log := cfg.Logger
	if log == nil && cfg.Client != nil {
		log = cfg.Client.Logger()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	norm := cfg.Normalizers
	if norm == nil {
		norm = DefaultNormalizers()
	}
	return &Configurator{
		api:      api,
		norm:     norm,
		log:      log,
		prune:    cfg.Prune,
		onReport: cfg.OnReport,
		declared: make(map[Ref]Object),
		applied:  make(map[Ref][]string),
		retired:  make(map[Ref]uint64),
	}, nil
}

// Declare adds objects to the declaration, or replaces those already
// declared with the same Ref (which keep their place in the order). An
// invalid object (no class, type or id, a field without a name or named
// twice, an object given twice) fails the whole call and changes nothing.
func (c *Configurator) Declare(objs ...Declarable) error {
	list, err := collect(objs)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, o := range list {
		r := o.Ref()
		if _, ok := c.declared[r]; !ok {
			c.order = append(c.order, r)
		}
		c.declared[r] = o
		delete(c.retired, r)
	}
	return nil
}

// Set replaces the whole declaration with objs, in this order. Objects
// declared before and not in objs are pruned at the next Reconcile when
// Config.Prune is set, and forgotten (left as they are in Asterisk)
// otherwise.
func (c *Configurator) Set(objs ...Declarable) error {
	list, err := collect(objs)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	keep := make(map[Ref]bool, len(list))
	for _, o := range list {
		keep[o.Ref()] = true
	}
	for _, r := range slices.Clone(c.order) {
		if !keep[r] {
			c.undeclare(r)
		}
	}
	c.order = c.order[:0]
	for _, o := range list {
		r := o.Ref()
		c.order = append(c.order, r)
		c.declared[r] = o
		delete(c.retired, r)
	}
	return nil
}

// Remove removes objects from the declaration: pruned at the next
// Reconcile when Config.Prune is set, forgotten otherwise. Refs not
// declared are ignored.
func (c *Configurator) Remove(refs ...Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, r := range refs {
		if _, ok := c.declared[r]; ok {
			c.undeclare(r)
		}
	}
}

// Retire declares that objects must not exist: the next Reconcile deletes
// them if they do, whether Config.Prune is set or not, and then forgets
// them. It is how an app deletes objects it no longer declares but
// created in an earlier run of the process (the configurator's memory of
// what it manages does not survive the process). Retired objects that
// are declared are removed from the declaration.
func (c *Configurator) Retire(refs ...Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, r := range refs {
		if _, ok := c.declared[r]; ok {
			delete(c.declared, r)
			c.order = slices.DeleteFunc(c.order, func(x Ref) bool { return x == r })
		}
		c.retired[r] = c.gen
	}
}

// undeclare removes r from the declaration. Call with mu held.
func (c *Configurator) undeclare(r Ref) {
	delete(c.declared, r)
	c.order = slices.DeleteFunc(c.order, func(x Ref) bool { return x == r })
	if c.prune {
		c.retired[r] = c.gen
	} else {
		delete(c.applied, r)
	}
}

// Declared returns the declared objects, in declaration order.
func (c *Configurator) Declared() []Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Object, 0, len(c.order))
	for _, r := range c.order {
		o := c.declared[r]
		o.Fields = slices.Clone(o.Fields)
		out = append(out, o)
	}
	return out
}

// snapshot is what one Reconcile works on.
type snapshot struct {
	gen     uint64
	objects []Object         // in write order
	applied map[Ref][]string // of those objects
	retired []Ref            // in delete order
	retGen  map[Ref]uint64   // their retirement gens
}

func (c *Configurator) snapshot() snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := snapshot{gen: c.gen, applied: make(map[Ref][]string), retGen: make(map[Ref]uint64)}
	for _, r := range c.order {
		s.objects = append(s.objects, c.declared[r])
		if a, ok := c.applied[r]; ok {
			s.applied[r] = a
		}
	}
	slices.SortStableFunc(s.objects, func(a, b Object) int { return cmp.Compare(rank(a.Ref()), rank(b.Ref())) })
	for r, g := range c.retired {
		s.retired = append(s.retired, r)
		s.retGen[r] = g
	}
	slices.SortFunc(s.retired, func(a, b Ref) int {
		if d := cmp.Compare(rank(b), rank(a)); d != 0 {
			return d
		}
		return cmp.Compare(a.String(), b.String())
	})
	return s
}

// Reconcile makes Asterisk's objects match the declaration, and returns
// what it did and the errors, joined (errors.Join of *Error values, and
// the context's error if it ended the run).
//
// Objects are handled one at a time, in dependency order (res_pjsip's
// auths and aors, then endpoints, then identifies; other types in
// declaration order, first), then the objects to prune or retire are
// deleted in the reverse order. For each declared object it reads the
// object (404: absent), then:
//
//   - absent: creates it with every declared field (PUT);
//   - present: compares each declared field with Asterisk's value, both
//     normalised by the field's Rule, and sends only the fields that
//     differ (PUT on an existing object changes only the fields given);
//     nothing when none differ;
//   - present, but a change an update cannot make (an entry to remove from
//     a list Asterisk only adds to, such as identify's match, or a field
//     declared at the last run and no longer, which only a new object
//     resets to its default): recreates it, DELETE then PUT of every
//     field, after checking the new values with an update so that a value
//     Asterisk refuses does not leave the object deleted.
//
// A failure stops only its object; the others are reconciled. Asterisk's
// 400 does not name the field it refused: when an update of several
// fields is refused, they are sent again one at a time, so that the
// valid ones take effect and each refused one is reported by name. A
// second Reconcile with the same declaration writes nothing.
func (c *Configurator) Reconcile(ctx context.Context) (Report, error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	s := c.snapshot()
	var rep Report
	var errs []error
	stopped := false // the context ended; its error is in errs
	stop := func() bool {
		if err := ctx.Err(); err != nil && !stopped {
			errs = append(errs, err)
			stopped = true
		}
		return stopped
	}
	done := make(map[Ref][]string)
	for _, o := range s.objects {
		if stop() {
			break
		}
		names, err := c.reconcileObject(ctx, o, s.applied[o.Ref()], &rep)
		if err != nil {
			errs = append(errs, err)
			rep.Failed = append(rep.Failed, o.Ref())
			continue
		}
		done[o.Ref()] = names
	}
	var gone []Ref
	for _, r := range s.retired {
		if stop() {
			break
		}
		err := c.api.DeleteObject(ctx, r.Class, r.Type, r.ID)
		switch {
		case err == nil:
			rep.Deleted = append(rep.Deleted, r)
			gone = append(gone, r)
		case isAbsent(err):
			gone = append(gone, r)
		default:
			errs = append(errs, newError(r, "delete", err))
			rep.Failed = append(rep.Failed, r)
		}
	}

	c.mu.Lock()
	for r, names := range done {
		if _, ok := c.declared[r]; ok {
			c.applied[r] = names
		}
	}
	for _, r := range gone {
		if c.retired[r] == s.retGen[r] {
			delete(c.retired, r)
			delete(c.applied, r)
		}
	}
	c.clean = len(errs) == 0
	if c.clean {
		c.cleanGen = s.gen
	}
	c.mu.Unlock()

	err := errors.Join(errs...)
	c.report(rep, err)
	return rep, err
}

// report logs a run's report and hands it to OnReport.
func (c *Configurator) report(rep Report, err error) {
	switch {
	case err != nil:
		c.log.Error("configurator: reconciliation failed", "report", rep, "err", err)
	case rep.Changed():
		c.log.Info("configurator: reconciled", "report", rep)
	default:
		c.log.Debug("configurator: reconciled, nothing to change", "report", rep)
	}
	if c.onReport != nil {
		c.onReport(rep, err)
	}
}

// OnConnect reconciles when needed after the stasis runtime connected; it
// has the signature of stasis.Config.OnConnect:
//
//	rt, err := stasis.New(stasis.Config{..., OnConnect: cfg.OnConnect})
//
// It reads Asterisk's startup time (GET /asterisk/info?only=status) and
// reconciles the first time, and again only when Asterisk restarted since
// the last reconciliation it made (the startup time changed: Asterisk's
// dynamic objects live in memory and are gone), when the declaration
// changed since the last Reconcile, or when the last Reconcile failed. A
// reconnect to the same Asterisk process writes nothing and reads nothing
// but the startup time. reconnect is only logged: the startup time is
// what tells a restart, and with several connections
// (stasis.ConnectionPerApp) only the first reconciles. Results go to the
// log and Config.OnReport.
func (c *Configurator) OnConnect(ctx context.Context, reconnect bool) {
	c.connectMu.Lock()
	defer c.connectMu.Unlock()
	startup, ierr := c.startupTime(ctx)
	if ctx.Err() != nil {
		return // the runtime is stopping
	}
	c.mu.Lock()
	restarted := !c.started || !startup.Equal(c.startup)
	need := ierr != nil || restarted || !c.clean || c.cleanGen != c.gen
	c.mu.Unlock()
	if !need {
		c.log.Debug("configurator: Asterisk did not restart and nothing changed; not reconciling",
			"reconnect", reconnect, "startup_time", startup)
		return
	}
	if ierr != nil {
		c.log.Warn("configurator: cannot read Asterisk's startup time; reconciling anyway", "err", ierr)
	} else if reconnect && restarted {
		c.log.Info("configurator: Asterisk restarted; reconciling", "startup_time", startup)
	}
	if _, err := c.Reconcile(ctx); err == nil && ierr == nil {
		c.mu.Lock()
		c.startup, c.started = startup, true
		c.mu.Unlock()
	}
}

// startupTime returns Asterisk's status.startup_time.
func (c *Configurator) startupTime(ctx context.Context) (time.Time, error) {
	info, err := c.api.GetInfo(ctx, &resources.AsteriskGetInfoParams{Only: []resources.GetInfoOnly{resources.GetInfoOnlyStatus}})
	if err != nil {
		return time.Time{}, err
	}
	if info.Status == nil || info.Status.StartupTime.IsZero() {
		return time.Time{}, errors.New("configurator: /asterisk/info has no status.startup_time")
	}
	return info.Status.StartupTime.Time, nil
}
