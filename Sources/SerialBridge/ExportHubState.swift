/// The fan-out decisions of an ``ExportHub``, apart from its I/O: who is admitted, taken over or
/// refused; which client gets a device chunk, has it held (RFC 2217 FLOWCONTROL-SUSPEND), loses
/// it or is disconnected; when clients stop being read because the device backed up; and what is
/// dropped past the hard limit. A value type: the hub feeds it events and carries out the actions
/// it returns; tests feed it the same events with no sockets. Counters live here too.
///
/// `Client` identifies a client (the hub uses its channel's `ObjectIdentifier`); `Chunk` is what
/// is held for a suspended client (the hub's `ByteBuffer`).
struct ExportHubState<Client: Hashable, Chunk> {
    /// The limits and policies the state follows (from ``ExportConfiguration``).
    struct Policy: Sendable {
        var maxClients: Int
        var takeover: Bool
        var clientQueueBytes: Int
        var overflowPolicy: OverflowPolicy
        var openPolicy: OpenPolicy
        /// Client bytes beyond this much queued for a backed-up device are dropped.
        var deviceQueueLimit: Int
    }

    /// What to do with a client that asks to join.
    enum Admission: Equatable {
        /// Welcome; close `evicted` first (takeover of the oldest), pause its reading while the
        /// device is backed up, and start the device when `startDevice`.
        case accepted(evicted: Client?, paused: Bool, startDevice: Bool)
        /// Over `maxClients` without takeover: close it.
        case refused
    }

    /// What happens to one device chunk for one client.
    enum Delivery: Equatable {
        /// Write it to the client.
        case write(Client)
        /// Keep it for the client (suspended; the state holds it).
        case held(Client)
        /// Lost for this client (its queue is full); `episodeStarted` on the first loss of a run.
        case dropped(Client, episodeStarted: Bool)
        /// Lost, and the client is to be closed (overflow policy `disconnect`, first loss; later
        /// chunks until the close lands are `dropped`).
        case disconnect(Client)
    }

    /// What to do with a chunk a client wrote.
    enum ClientWrite: Equatable {
        /// Write it to the device (and stop reading the client when `pause`).
        case forward(pause: Bool)
        /// Drop it (the device is backed up past the limit); `episodeStarted` on the first drop of a run.
        case drop(episodeStarted: Bool)
        /// Not a registered client: ignore it.
        case ignore
    }

    private struct ClientState {
        var overflowing = false
        var suspended = false
        var held: [Chunk] = []
        var heldBytes = 0
    }

    let policy: Policy
    private var clients: [Client: ClientState] = [:]
    /// Admission order, oldest first (takeover closes the oldest).
    private(set) var order: [Client] = []
    /// False while the device's write queue is backed up.
    private(set) var deviceWritable = true
    /// True during a run of drops for a backed-up device (reported once per run).
    private var droppingWhileBackedUp = false
    /// The counters the hub reports.
    var statistics = ExportStatistics()

    init(policy: Policy) {
        self.policy = policy
    }

    /// The clients now, oldest first.
    var members: [Client] { order }

    /// A client asks to join.
    mutating func add(_ client: Client) -> Admission {
        var evicted: Client?
        if clients.count >= policy.maxClients {
            guard policy.takeover, let oldest = order.first else {
                statistics.clientsRefused += 1
                return .refused
            }
            _ = remove(oldest)
            evicted = oldest
        }
        clients[client] = ClientState()
        order.append(client)
        statistics.clientsAccepted += 1
        statistics.clients = clients.count
        return .accepted(evicted: evicted, paused: !deviceWritable, startDevice: policy.openPolicy == .clients)
    }

    /// A client left (or was closed). True when the device should stop (no clients left, open policy `clients`).
    mutating func remove(_ client: Client) -> Bool {
        guard clients.removeValue(forKey: client) != nil else { return false }
        order.removeAll { $0 == client }
        statistics.clients = clients.count
        return clients.isEmpty && policy.openPolicy == .clients
    }

    /// The device produced `bytes` bytes (`chunk`); `canTake` says whether a client's queue has room.
    mutating func deviceOutput(_ chunk: Chunk, bytes: Int, canTake: (Client) -> Bool) -> [Delivery] {
        statistics.deviceBytesIn += bytes
        var deliveries: [Delivery] = []
        deliveries.reserveCapacity(order.count)
        for client in order {
            guard var state = clients[client] else { continue }
            defer { clients[client] = state }
            if state.suspended {
                if state.heldBytes + bytes <= policy.clientQueueBytes {
                    state.held.append(chunk)
                    state.heldBytes += bytes
                    deliveries.append(.held(client))
                    continue
                }
            } else if canTake(client) {
                deliveries.append(.write(client))
                continue
            }
            statistics.overflowDroppedBytes += bytes
            let started = !state.overflowing
            if started {
                state.overflowing = true
                statistics.overflowEpisodes += 1
            }
            if policy.overflowPolicy == .disconnect, started {
                statistics.overflowDisconnects += 1
                deliveries.append(.disconnect(client))
            } else {
                deliveries.append(.dropped(client, episodeStarted: started))
            }
        }
        return deliveries
    }

    /// A client wrote `bytes` bytes; `queued` is what the device's write queue holds now.
    mutating func clientWrote(_ client: Client, bytes: Int, queued: Int) -> ClientWrite {
        guard clients[client] != nil else { return .ignore }
        guard !deviceWritable else {
            droppingWhileBackedUp = false
            return .forward(pause: false)
        }
        // A client still read while the device is backed up (read in the same loop turn, before
        // writability was announced, or closing: NIO reads a closing client to its end) stops
        // here; past the limit its bytes are dropped, so no client can queue without bound.
        if queued + bytes > policy.deviceQueueLimit {
            let started = !droppingWhileBackedUp
            droppingWhileBackedUp = true
            statistics.droppedWhileBackedUp += bytes
            return .drop(episodeStarted: started)
        }
        droppingWhileBackedUp = false
        return .forward(pause: true)
    }

    /// The device's write queue backed up (false) or drained (true). Returns the clients whose
    /// reading is to be paused or resumed accordingly.
    mutating func deviceWritabilityChanged(_ writable: Bool) -> [Client] {
        deviceWritable = writable
        return order
    }

    /// FLOWCONTROL-SUSPEND (true) or -RESUME (false). On resume, returns what was held, in order.
    mutating func setSuspended(_ suspended: Bool, client: Client) -> [Chunk] {
        guard var state = clients[client], state.suspended != suspended else { return [] }
        defer { clients[client] = state }
        state.suspended = suspended
        guard !suspended else { return [] }
        let held = state.held
        state.held = []
        state.heldBytes = 0
        state.overflowing = false
        return held
    }

    /// A client's queue drained below its low-water mark: its next loss starts a new episode.
    mutating func clientDrained(_ client: Client) {
        clients[client]?.overflowing = false
    }
}
