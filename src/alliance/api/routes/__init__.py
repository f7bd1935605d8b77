"""One router per desk; each validates, calls the desk, returns."""
