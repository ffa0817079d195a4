"""In-process fakes of the platforms' servers, on loopback."""
