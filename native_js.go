package main

// runNative does nothing in the browser, where RunWhenOnBrowser never
// returns.
func runNative() {}
