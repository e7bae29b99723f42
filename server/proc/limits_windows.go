package proc

// RaiseOpenFiles does nothing on Windows, which has no such limit.
func RaiseOpenFiles() (uint64, error) { return 0, nil }
