package resources

import "gostasis.dev/ari"

// strs converts a list of enum values to strings for the query.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Operations describes every operation this build knows, by resource then
// method name: method, path, the releases that have it and its
// parameters, and the error statuses it declares.
func Operations() []*ari.Operation { return append([]*ari.Operation(nil), operations...) }
