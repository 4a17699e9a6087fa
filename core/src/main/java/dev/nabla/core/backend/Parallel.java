package dev.nabla.core.backend;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A tiny fork-join for big kernels: {@code run(parts, body)} calls {@code body.accept(p)} for every part,
 * part 0 on the caller and the rest on resident daemon workers that spin briefly and then park. It allocates
 * nothing per call (a hand-off costs well under a microsecond when the worker is spinning), and if another
 * thread is already using the workers, or the caller is itself inside a part, the caller simply runs every
 * part itself. The SIMD backend's fused kernels and the GEMM share these workers.
 */
public final class Parallel {
    private static final int WORKERS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
    private static final Worker[] POOL = new Worker[WORKERS];
    private static final ReentrantLock LOCK = new ReentrantLock();

    static {
        for (int i = 0; i < WORKERS; i++) {
            POOL[i] = new Worker("nabla-worker-" + (i + 1));
            POOL[i].start();
        }
    }

    private Parallel() {
    }

    /** The most parts that can run at once (workers + the caller). */
    public static int maxParts() {
        return WORKERS + 1;
    }

    /** Runs {@code body} for parts {@code 0..parts-1}; returns when all are done; rethrows a worker's failure. */
    public static void run(int parts, IntConsumer body) {
        int used = Math.min(parts - 1, WORKERS);
        if (used <= 0 || LOCK.isHeldByCurrentThread() || !LOCK.tryLock()) { // busy, or nested inside a part
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        try {
            for (int w = 0; w < used; w++) {
                POOL[w].submit(body, w + 1);
            }
            body.accept(0);
            for (int p = used + 1; p < parts; p++) {
                body.accept(p);
            }
            Throwable failure = null;
            for (int w = 0; w < used; w++) {
                Throwable t = POOL[w].await();
                if (failure == null) {
                    failure = t;
                }
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static final class Worker extends Thread {
        private volatile IntConsumer task;
        private volatile int part;
        private volatile boolean done = true;
        private volatile Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void submit(IntConsumer body, int p) {
            part = p;
            failure = null;
            done = false;
            task = body;
            LockSupport.unpark(this);
        }

        Throwable await() {
            int spins = 0;
            while (!done) {
                if (++spins > 10_000) {
                    Thread.onSpinWait();
                    if (spins > 1_000_000) {
                        Thread.yield();
                    }
                }
            }
            return failure;
        }

        @Override
        public void run() {
            while (true) {
                IntConsumer t = task;
                int spins = 0;
                while (t == null) {
                    if (++spins < 20_000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    t = task;
                }
                task = null;
                try {
                    t.accept(part);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    done = true;
                }
            }
        }
    }
}
