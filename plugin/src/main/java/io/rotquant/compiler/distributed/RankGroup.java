package io.rotquant.compiler.distributed;

import static io.rotquant.compiler.recipe.RecipeParameter.MASTER;

import io.rotquant.compiler.torch.Tensors;
import io.rotquant.compiler.torch.Torch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * This process's place in a compile job and the collectives that join the ranks' shares: sums
 * (all-reduce) and copies from one rank (broadcast), on LibTorch's c10d process groups, Gloo for
 * tensors on the CPU and NCCL for tensors on a GPU. The group is process-wide, like LibTorch's
 * device: {@link #join} once before the compile, {@link #current} wherever work is shared.
 *
 * <p>A failed collective (a peer died, was killed, or its machine went away) becomes a
 * {@link RankLostException} whose one line names the rank that reported its failure to the
 * rendezvous store, or says what the transport saw.
 */
public final class RankGroup implements AutoCloseable {
    /**
     * How long a rank waits for the others at a collective: the longest phase one rank may run
     * alone (the artifact write of a large model, a rank's share of a layer).
     */
    private static final long TIMEOUT_MS = 30 * 60 * 1000L;
    private static final String FAILED = "rotquant/failed/";
    private static final String ALIVE = "rotquant/alive/";
    /** Each rank counts up its key in the store this often; a rank whose count stands still has died. */
    private static final long HEARTBEAT_MS = 1000;
    private static final RankGroup SINGLE = new RankGroup(RankSpec.SINGLE, null, null);

    private static volatile RankGroup current = SINGLE;

    private final RankSpec spec;
    private final Store store;
    private final Backend backend;
    private final Thread heartbeat;

    private RankGroup(RankSpec spec, Store store, Backend backend) {
        this.spec = spec;
        this.store = store;
        this.backend = backend;
        this.heartbeat = store == null ? null : new Thread(() -> beat(store.clone(), ALIVE + spec.rank()),
                "rotquant-heartbeat");
        if (heartbeat != null) {
            heartbeat.setDaemon(true);
            heartbeat.start();
        }
    }

    /** Counts up {@code key} on its own connection to the store until interrupted or the store is gone. */
    private static void beat(Store connection, String key) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                connection.add(key, 1);
                Thread.sleep(HEARTBEAT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The store went away with rank 0: a failed collective reports it.
        }
    }

    /** The group this process computes in: a group of one unless {@link #join} made another. */
    public static RankGroup current() {
        return current;
    }

    /**
     * Meets the other ranks at {@code spec}'s rendezvous (rank 0 serves it) and makes the process
     * group, NCCL when {@code gpu}, Gloo otherwise; a single spec joins nothing. Close the result
     * to leave the job.
     */
    public static synchronized RankGroup join(RankSpec spec, boolean gpu, Consumer<String> log) {
        if (current != SINGLE) {
            throw new IllegalStateException("this process is already " + current.spec.label());
        }
        if (spec.single()) {
            return SINGLE;
        }
        long start = System.nanoTime();
        TCPStoreOptions options = new TCPStoreOptions();
        options.port((short) spec.port());
        options.isServer(spec.rank() == 0);
        options.numWorkers(new SizeTPointer(1).put(spec.size()));
        options.waitWorkers(true);
        options.useLibUV(false);
        options.timeout(new Milliseconds(TIMEOUT_MS));
        TCPStore store;
        try {
            store = new TCPStore(spec.host(), options);
        } catch (RuntimeException e) {
            throw new RankLostException(spec.label() + ": cannot meet the other ranks at " + MASTER.named() + " " + spec.host() + ":"
                    + spec.port() + ": " + transportLine(e), e);
        }
        Backend backend = gpu ? Nccl.group(store, spec) : gloo(store, spec);
        current = new RankGroup(spec, store, backend);
        current.barrier();
        log.accept(String.format(Locale.ROOT, "joined the job at %s:%d on %s in %.1f s", spec.host(), spec.port(),
                gpu ? "NCCL" : "Gloo", (System.nanoTime() - start) / 1e9));
        return current;
    }

    private static Backend gloo(Store store, RankSpec spec) {
        ProcessGroupGloo.Options options = new ProcessGroupGloo.Options();
        GlooDeviceVector devices = new GlooDeviceVector();
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        devices.push_back(spec.loopback() ? ProcessGroupGloo.createDeviceForHostname("127.0.0.1")
                : ifname != null ? ProcessGroupGloo.createDeviceForInterface(ifname)
                : ProcessGroupGloo.createDefaultDevice());
        options.devices(devices);
        options.timeout(new Milliseconds(TIMEOUT_MS));
        return new ProcessGroupGloo(store, spec.rank(), spec.size(), options);
    }

    /** NCCL's classes load its JNI library: kept apart so CPU jobs never touch them. */
    private static final class Nccl {
        static Backend group(Store store, RankSpec spec) {
            return new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, spec.rank(), spec.size());
        }
    }

    public int rank() {
        return spec.rank();
    }

    public int size() {
        return spec.size();
    }

    public boolean single() {
        return spec.single();
    }

    /** Whether this rank writes what the job produces (the artifact, the report): rank 0. */
    public boolean leader() {
        return spec.rank() == 0;
    }

    public String label() {
        return spec.label();
    }

    /** This rank's items of {@code all}: those whose index modulo the group size is its rank. */
    public <T> List<T> share(List<T> all) {
        if (single()) {
            return all;
        }
        List<T> mine = new ArrayList<>();
        for (int i = rank(); i < all.size(); i += size()) {
            mine.add(all.get(i));
        }
        return mine;
    }

    /** The first of {@code total} rows that rank {@code r} owns when they are cut into contiguous, near-equal runs. */
    public long firstRow(long total, int r) {
        return total * r / size();
    }

    /** How many of {@code total} rows rank {@code r} owns (see {@link #firstRow}). */
    public long rowCount(long total, int r) {
        return firstRow(total, r + 1) - firstRow(total, r);
    }

    /** Replaces {@code tensor} on every rank by the sum of every rank's {@code tensor}, in place. */
    public void allReduceSum(Tensor tensor) {
        if (single()) {
            return;
        }
        collective("a sum over ranks", tensor, (backend, vector) -> backend.allreduce(vector, new AllreduceOptions()));
    }

    /** The sum over the ranks of each rank's {@code value} (float64, exact for one rank). */
    public double sum(double value) {
        if (single()) {
            return value;
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensors.doubles(new double[] {value}, 1).to(Torch.device(), ScalarType.Double);
            allReduceSum(t);
            return t.item_double();
        }
    }

    /** Replaces {@code tensor} on every rank by rank {@code root}'s, in place (same shape and type everywhere). */
    public void broadcast(Tensor tensor, int root) {
        if (single()) {
            return;
        }
        collective("a copy from rank " + root, tensor,
                (backend, vector) -> backend.broadcast(vector, new BroadcastOptions().rootRank(root)));
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        if (single()) {
            return;
        }
        try (PointerScope scope = new PointerScope()) {
            // On the compiler's device: NCCL only moves GPU tensors.
            allReduceSum(torch.zeros(1).to(Torch.device(), ScalarType.Float));
        }
    }

    private interface Call {
        Work start(Backend backend, TensorVector tensors);
    }

    /**
     * Runs one collective on {@code tensor}: as it is for NCCL, staged through a contiguous CPU
     * copy for Gloo when it is on a GPU or not contiguous.
     */
    private void collective(String what, Tensor tensor, Call call) {
        try (PointerScope scope = new PointerScope()) {
            boolean nccl = !(backend instanceof ProcessGroupGloo);
            boolean staged = !tensor.is_contiguous() || (!nccl && tensor.is_cuda());
            Tensor buffer = !staged ? tensor : nccl ? tensor.contiguous()
                    : tensor.to(new Device(torch.DeviceType.CPU, (byte) -1), tensor.scalar_type()).contiguous();
            try {
                call.start(backend, new TensorVector(buffer))._wait();
            } catch (RuntimeException e) {
                throw lost(what, e);
            }
            if (staged) {
                tensor.copy_(buffer);
            }
        }
    }

    /**
     * Tells the others, through the rendezvous store, why this rank stops: their failed collective
     * then names it. Best effort: the store may be gone with rank 0.
     */
    public void reportFailure(String line) {
        if (single()) {
            return;
        }
        try {
            store.set(FAILED + rank(), bytes(line));
        } catch (RuntimeException e) {
            // The store left with rank 0; the others will see the transport's own error.
        }
    }

    private RankLostException lost(String what, RuntimeException e) {
        String who;
        try {
            who = failedPeers();
        } catch (RuntimeException storeGone) {
            who = rank() == 0 ? null
                    : "rank 0 (it serves the rendezvous at " + spec.host() + ":" + spec.port() + ") is gone";
        }
        if (who == null) {
            who = "a rank left the job (" + transportLine(e) + ")";
        }
        return new RankLostException(label() + ": " + what + " failed: " + who + "; stopping without an artifact", e);
    }

    /**
     * "rank R failed: LINE" for every rank that reported its failure, else "rank R stopped ..." for
     * every rank whose heartbeat stood still over a few beats, or null when every rank still beats.
     */
    private String failedPeers() {
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < size(); r++) {
            if (r != rank() && store.check(new StringVector(FAILED + r))) {
                lines.add("rank " + r + " failed: " + string(store.get(FAILED + r)));
            }
        }
        if (lines.isEmpty()) {
            long[] before = beats();
            try {
                Thread.sleep(3 * HEARTBEAT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long[] after = beats();
            for (int r = 0; r < size(); r++) {
                if (r != rank() && after[r] == before[r]) {
                    lines.add("rank " + r + " stopped without a word (killed, or its machine or network failed)");
                }
            }
        }
        return lines.isEmpty() ? null : String.join("; ", lines);
    }

    /** Every rank's heartbeat count (adding 0 reads it). */
    private long[] beats() {
        long[] counts = new long[size()];
        for (int r = 0; r < size(); r++) {
            counts[r] = store.add(ALIVE + r, 0);
        }
        return counts;
    }

    /** The first line of a c10d error, without the source location it starts with. */
    private static String transportLine(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        String line = message.lines().findFirst().orElse(message);
        return line.replaceFirst("^\\[[^\\]]*\\]\\s*", "").replaceFirst("\\. This is typically caused.*$", "");
    }

    private static ByteVector bytes(String text) {
        return new ByteVector(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(ByteVector vector) {
        return new String(vector.get(), StandardCharsets.UTF_8);
    }

    /** Leaves the job: this process computes alone again. */
    @Override
    public synchronized void close() {
        if (this == SINGLE) {
            return;
        }
        heartbeat.interrupt();
        try {
            heartbeat.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            backend.shutdown();
        } catch (RuntimeException e) {
            // Shutting down after a lost peer may fail again; the job has ended either way.
        }
        synchronized (RankGroup.class) {
            current = SINGLE;
        }
    }
}
