package staffsync.hub;

/** What the hub stages for a client during a turn: bytes to send as they are, or a large reply written as it is read. */
sealed interface Outgoing permits Frame, Reply {}
