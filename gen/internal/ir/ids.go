package ir

import (
	"fmt"
	"sort"
	"strings"

	"gostasis.dev/gen/internal/generr"
)

// buildIDs decides, for every event, which fields name the channels and
// the bridges it is about (docs/ari-notes.md section 3):
//   - a Channel (Bridge) field at any depth contributes its id; the walk
//     does not descend into Channel, Bridge or Endpoint models (a bridge's
//     member list names its members, not the event's subject);
//   - a target_uri string contributes the id after "channel:" ("bridge:");
//   - a string listed in idStrings contributes itself;
//   - an event naming no channel that way but holding an Endpoint is routed
//     to the endpoint's channel_ids.
//
// Ids whose every step is required come first, in declaration order, then
// the optional ones. A field the rules cannot classify (a list of models
// holding channels, or a string whose name mentions a channel or bridge)
// stops generation with a message naming it.
func (b *builder) buildIDs() error {
	for _, ev := range b.api.Events {
		w := &idWalker{event: ev}
		if err := w.walk(ev.AllProps(), nil, true, map[string]bool{}); err != nil {
			return generr.Wrap(b.file(len(b.in)-1, ev.Resource), "event "+ev.Name, err)
		}
		if len(w.channels) == 0 && w.endpoint != nil {
			w.channels = append(w.channels, *w.endpoint)
		}
		ev.ChannelIDs = requiredFirst(w.channels)
		ev.BridgeIDs = requiredFirst(w.bridges)
	}
	return nil
}

type idWalker struct {
	event    *Model
	channels []IDPath
	bridges  []IDPath
	endpoint *IDPath
}

func (w *idWalker) walk(props []*Prop, steps []Step, required bool, visiting map[string]bool) error {
	for _, p := range props {
		step := Step{Prop: p, Optional: !p.Required}
		path := append(append([]Step(nil), steps...), step)
		req := required && p.Required
		t := p.Type
		name := strings.ToLower(p.JSON)
		switch t.Kind {
		case ModelRef:
			switch t.Model.Name {
			case channelModel:
				w.channels = append(w.channels, IDPath{Steps: path, Source: SourceModelID, Required: req})
			case bridgeModel:
				w.bridges = append(w.bridges, IDPath{Steps: path, Source: SourceModelID, Required: req})
			case endpointModel:
				if w.endpoint == nil {
					list := findProp(t.Model, channelListProp)
					if list != nil {
						ep := IDPath{Steps: append(path, Step{Prop: list, Optional: !list.Required}), Source: SourceIDList, Required: req}
						w.endpoint = &ep
					}
				}
			default:
				if visiting[t.Model.Name] {
					continue
				}
				visiting[t.Model.Name] = true
				if err := w.walk(t.Model.AllProps(), path, req, visiting); err != nil {
					return err
				}
				delete(visiting, t.Model.Name)
			}
		case List:
			if holdsIDs(t, map[string]bool{}) {
				return fmt.Errorf("property %s is a list holding channels or bridges: routing cannot classify it", pathText(path))
			}
			if t.Elem.Kind == String && mentionsID(name) {
				return fmt.Errorf("property %s (a list of strings) mentions a channel or bridge: classify it in gen/internal/ir/quirks.go", pathText(path))
			}
		case String:
			if p.JSON == targetURIProp {
				w.channels = append(w.channels, IDPath{Steps: path, Source: SourceChannelURI, Required: req})
				w.bridges = append(w.bridges, IDPath{Steps: path, Source: SourceBridgeURI, Required: req})
				continue
			}
			owner := w.owner(steps)
			kind, known := idStrings[owner+"."+p.JSON]
			switch {
			case known && kind == channelID:
				w.channels = append(w.channels, IDPath{Steps: path, Source: SourceString, Required: req})
			case known && kind == bridgeID:
				w.bridges = append(w.bridges, IDPath{Steps: path, Source: SourceString, Required: req})
			case !known && mentionsID(name):
				return fmt.Errorf("property %s is a string that mentions a channel or bridge: classify it in gen/internal/ir/quirks.go", pathText(path))
			}
		}
	}
	return nil
}

// owner names the model declaring the properties at the end of steps.
func (w *idWalker) owner(steps []Step) string {
	if len(steps) == 0 {
		return w.event.Name
	}
	return steps[len(steps)-1].Prop.Type.Model.Name
}

func mentionsID(name string) bool {
	return strings.Contains(name, "channel") || strings.Contains(name, "bridge")
}

// holdsIDs reports whether a type can contain a Channel, a Bridge or a
// target_uri.
func holdsIDs(t *Type, visiting map[string]bool) bool {
	switch t.Kind {
	case List:
		return holdsIDs(t.Elem, visiting)
	case ModelRef:
		switch t.Model.Name {
		case channelModel, bridgeModel:
			return true
		case endpointModel:
			return false
		}
		if visiting[t.Model.Name] {
			return false
		}
		visiting[t.Model.Name] = true
		for _, p := range t.Model.AllProps() {
			if p.JSON == targetURIProp || holdsIDs(p.Type, visiting) {
				return true
			}
		}
	}
	return false
}

func findProp(m *Model, json string) *Prop {
	for _, p := range m.AllProps() {
		if p.JSON == json {
			return p
		}
	}
	return nil
}

func requiredFirst(paths []IDPath) []IDPath {
	sort.SliceStable(paths, func(i, j int) bool { return paths[i].Required && !paths[j].Required })
	return paths
}

func pathText(steps []Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = s.Prop.JSON
	}
	return strings.Join(parts, ".")
}

// PathText is the dotted JSON path of an IDPath, e.g. "referred_by.source_channel".
func (p IDPath) PathText() string { return pathText(p.Steps) }
