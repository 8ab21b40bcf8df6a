package io.ingestd.listener;

import io.ingestd.config.Config;
import io.ingestd.config.IpRange;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZConfig;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Who may connect: a ZAP handler (ZeroMQ RFC 27) that admits a client by its IP ({@code security.allow-ips},
 * addresses and CIDR blocks) and, with CURVE, by its public key ({@code curve.clients.dir}). It runs with CURVE
 * and, for the IP check alone, with the NULL mechanism. An admitted CURVE client's key becomes its connection's
 * ZeroMQ User-Id, so the listener can refuse the requests of a key revoked by a reload on connections opened
 * before it ({@link #isRevoked}). Refused handshakes are logged, at most a few lines a second.
 */
public final class Admission implements Listener.SocketSetup, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    private static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
    private static final long LOG_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ZContext context;
    private final ZMQ.Socket zap;
    private final Optional<String[]> serverKeys; // public, secret; empty = NULL mechanism
    private volatile Optional<Path> clientsDir; // follows curve.clients.dir on reload
    private final List<IpRange> allowIps;
    private final Thread thread;
    private volatile Set<String> clientKeys = Set.of();
    private long clientsDirModified; // the zap thread re-reads the directory when this changes
    private volatile boolean running = true;
    private long lastLog;
    private long suppressed;

    /** Binds the ZAP handler; must happen before the listener binds. Returns empty when nothing needs checking. */
    public static Optional<Admission> of(ZContext context, Config config) throws IOException {
        if (!config.security().curveEnabled() && config.security().allowIps().isEmpty()) return Optional.empty();
        return Optional.of(new Admission(context, config));
    }

    private Admission(ZContext context, Config config) throws IOException {
        this.context = context;
        allowIps = config.security().allowIps().stream()
                .map(s -> IpRange.parse(s).orElseThrow())
                .toList(); // validated in config
        clientsDir = config.security().curveClientsDir();
        if (config.security().curveEnabled()) {
            Path server = config.security().curveServerKey().orElseThrow();
            refuseLooseModes(server, "curve.server.key", true);
            var cert = load(server, "curve.server.key");
            String pub = cert.getValue("curve/public-key"), sec = cert.getValue("curve/secret-key");
            if (pub == null || sec == null) {
                throw new IOException("curve.server.key: " + server + " holds no curve/public-key and secret-key "
                        + "(make a key pair with: ingestd keygen NAME, and use NAME.key_secret)");
            }
            serverKeys = Optional.of(new String[] {pub, sec});
            if (clientsDir.isPresent()) {
                if (!Files.isDirectory(clientsDir.get())) {
                    throw new IOException("curve.clients.dir: " + clientsDir.get() + " is not a directory");
                }
                clientKeys = readClientKeys();
            } else {
                log.warn("curve.allow-any-client=true: any client key pair may connect and write (encryption "
                        + "without client authentication)");
            }
        } else {
            serverKeys = Optional.empty();
        }
        zap = context.createSocket(SocketType.REP);
        zap.setLinger(0);
        zap.bind(ZAP_ENDPOINT);
        thread = Thread.ofPlatform().daemon().name("zap").start(this::serve);
        log.info(
                "admitting clients{}{}",
                allowIps.isEmpty() ? "" : " from " + allowIps,
                serverKeys.isEmpty()
                        ? " (no CURVE)"
                        : clientsDir.map(d -> " with a key in " + d).orElse(" with any key"));
    }

    /**
     * As sshd's StrictModes: a file or directory that decides who is admitted must not be writable by group or
     * others, and a secret key not readable by others either (group may read it: root:ingestd 0640).
     */
    static void refuseLooseModes(Path p, String key, boolean secret) throws IOException {
        if (!Files.exists(p)) return; // reading it says so, with the key and the file
        var perms = Files.getPosixFilePermissions(p);
        boolean loose = perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || (secret && perms.contains(PosixFilePermission.OTHERS_READ));
        if (loose) {
            throw new IOException(key + ": " + p + " is " + (secret ? "readable or " : "") + "writable by others (mode "
                    + PosixFilePermissions.toString(perms) + "); chmod " + (secret ? "0600" : "go-w") + " " + p);
        }
    }

    private static ZConfig load(Path file, String key) throws IOException {
        try {
            return ZConfig.load(file.toString());
        } catch (IOException e) {
            throw new IOException(key + ": cannot read " + file + ": " + io.ingestd.config.IoReason.of(e), e);
        }
    }

    @Override
    public void apply(ZMQ.Socket socket) {
        socket.setZAPDomain("ingestd"); // also makes the NULL mechanism ask the handler
        serverKeys.ifPresent(k -> {
            socket.setCurveServer(true);
            socket.setCurvePublicKey(k[0].getBytes(ZMQ.CHARSET));
            socket.setCurveSecretKey(k[1].getBytes(ZMQ.CHARSET));
        });
    }

    /**
     * Reload: the allow-list follows {@code curve.clients.dir} as reloaded (a new directory replaces the old one's
     * keys at once, for new connections and open ones); the same directory is re-read. Returns the keys no longer
     * allowed. A directory that cannot be used leaves the keys in effect as they were.
     */
    public synchronized Set<String> follow(Optional<Path> dir) throws IOException {
        if (serverKeys.isEmpty() || dir.equals(clientsDir)) return reloadKeys();
        if (dir.isPresent() && !Files.isDirectory(dir.get())) {
            throw new IOException("curve.clients.dir: " + dir.get() + " is not a directory");
        }
        var before = clientKeys;
        var previous = clientsDir;
        clientsDir = dir;
        try {
            clientKeys = dir.isPresent() ? readClientKeys() : Set.of();
        } catch (IOException e) {
            clientsDir = previous;
            throw e;
        }
        log.info(
                "curve.clients.dir is now {}: {} client key(s) admitted",
                dir.map(Path::toString).orElse("(any key)"),
                clientKeys.size());
        var revoked = new HashSet<>(before);
        revoked.removeAll(clientKeys);
        return revoked;
    }

    /** Re-reads {@code curve.clients.dir} (reload); returns the keys no longer allowed. */
    public synchronized Set<String> reloadKeys() throws IOException {
        if (clientsDir.isEmpty()) return Set.of();
        var before = clientKeys;
        clientKeys = readClientKeys();
        var revoked = new HashSet<>(before);
        revoked.removeAll(clientKeys);
        if (!revoked.isEmpty())
            log.info("{} client key(s) revoked: their open connections get FALSE from now on", revoked.size());
        return revoked;
    }

    /** Whether a request's sender (its connection's User-Id) holds a key that is no longer allowed. */
    public boolean isRevoked(@Nullable String userId) {
        return clientsDir.isPresent() && userId != null && !userId.isEmpty() && !clientKeys.contains(userId);
    }

    /** A key added (or removed) takes effect at the next handshake, without waiting for a reload. */
    private void refreshIfChanged() {
        if (clientsDir.isEmpty()) return;
        try {
            long modified = Files.getLastModifiedTime(clientsDir.get()).toMillis();
            if (modified != clientsDirModified) reloadKeys();
        } catch (IOException e) {
            log.warn(
                    "curve.clients.dir: cannot re-read {}: {}; the keys read before still apply",
                    clientsDir.get(),
                    io.ingestd.config.IoReason.of(e));
        }
    }

    private Set<String> readClientKeys() throws IOException {
        clientsDirModified = Files.getLastModifiedTime(clientsDir.orElseThrow()).toMillis();
        // who may write here may admit any client: a directory others can write is never read (the keys read
        // before still apply), a key file others can write is left out
        refuseLooseModes(clientsDir.orElseThrow(), "curve.clients.dir", false);
        var keys = new HashSet<String>();
        try (var files = Files.list(clientsDir.orElseThrow())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().endsWith(".key") || !Files.isRegularFile(f)) continue;
                try {
                    refuseLooseModes(f, "curve.clients.dir", false);
                } catch (IOException e) {
                    log.warn("{}; that key is not admitted", e.getMessage());
                    continue;
                }
                String pub = load(f, "curve.clients.dir").getValue("curve/public-key");
                if (pub == null) log.warn("curve.clients.dir: {} holds no curve/public-key; ignored", f);
                else keys.add(pub);
            }
        }
        return Set.copyOf(keys);
    }

    private void serve() {
        try (var poller = context.createPoller(1)) {
            poller.register(zap, ZMQ.Poller.POLLIN);
            while (running) {
                if (poller.poll(500) <= 0) continue;
                var frames = new java.util.ArrayList<byte[]>();
                do {
                    frames.add(zap.recv(0));
                } while (zap.hasReceiveMore());
                answer(frames);
            }
        } catch (RuntimeException e) {
            if (running) log.error("the ZAP handler stopped; no client can connect until a restart", e);
        } finally {
            zap.close();
        }
    }

    /** RFC 27: version, request id, domain, address, identity, mechanism, credentials... */
    private void answer(List<byte[]> f) {
        String requestId = f.size() > 1 ? new String(f.get(1), ZMQ.CHARSET) : "";
        String address = f.size() > 3 ? new String(f.get(3), ZMQ.CHARSET) : "";
        String mechanism = f.size() > 5 ? new String(f.get(5), ZMQ.CHARSET) : "";
        String refusal = null, userId = "";
        if (!allowIps.isEmpty() && allowIps.stream().noneMatch(r -> r.contains(address))) {
            refusal = "address " + address + " is not in security.allow-ips";
        } else if (mechanism.equals("CURVE")) {
            userId = f.size() > 6 && f.get(6).length == 32 ? ZMQ.Curve.z85Encode(f.get(6)) : "";
            refreshIfChanged();
            if (clientsDir.isPresent() && !clientKeys.contains(userId)) {
                refusal = "client key " + userId + " is not in curve.clients.dir";
            }
        } else if (serverKeys.isPresent()) {
            refusal = "mechanism " + mechanism + " where CURVE is required";
        }
        zap.send("1.0", ZMQ.SNDMORE);
        zap.send(requestId, ZMQ.SNDMORE);
        zap.send(refusal == null ? "200" : "400", ZMQ.SNDMORE);
        zap.send(refusal == null ? "OK" : refusal, ZMQ.SNDMORE);
        zap.send(userId, ZMQ.SNDMORE);
        zap.send(new byte[0], 0);
        if (refusal != null) logRefusal(refusal);
    }

    private void logRefusal(String why) {
        long now = System.nanoTime();
        if (now - lastLog < LOG_EVERY_NANOS) {
            suppressed++;
            return;
        }
        log.warn(
                "refused a connection: {}{}",
                why,
                suppressed > 0 ? " (and " + suppressed + " more refused since the last line)" : "");
        lastLog = now;
        suppressed = 0;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
