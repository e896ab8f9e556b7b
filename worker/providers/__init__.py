"""Provider clients behind one small interface, and the errors they raise."""
