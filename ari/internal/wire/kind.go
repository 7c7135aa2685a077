package wire

// Kind is the kind of the next JSON value, as reported by Decoder.Peek.
type Kind uint8

// The kinds of JSON values.
const (
	// KindInvalid means there is no value: the end of the input, a byte that
	// cannot start a value, or a recorded error.
	KindInvalid Kind = iota
	// KindObject is a JSON object.
	KindObject
	// KindArray is a JSON array.
	KindArray
	// KindString is a JSON string.
	KindString
	// KindNumber is a JSON number.
	KindNumber
	// KindBool is true or false.
	KindBool
	// KindNull is null.
	KindNull
)

var kindNames = [...]string{
	KindInvalid: "invalid",
	KindObject:  "object",
	KindArray:   "array",
	KindString:  "string",
	KindNumber:  "number",
	KindBool:    "bool",
	KindNull:    "null",
}

// String returns the kind's name: "object", "array", "string", "number",
// "bool", "null" or "invalid".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// kindOf classifies the first byte of a value.
func kindOf(c byte) Kind {
	switch c {
	case '{':
		return KindObject
	case '[':
		return KindArray
	case '"':
		return KindString
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return KindNumber
	case 't', 'f':
		return KindBool
	case 'n':
		return KindNull
	}
	return KindInvalid
}
