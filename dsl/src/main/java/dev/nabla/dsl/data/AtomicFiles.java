package dev.nabla.dsl.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Atomic file replacement, shared by the checkpoint, {@code .npy} and CSV writers: the content is written and
 * synced under a temporary name in the target's directory, then moved over the target
 * ({@link StandardCopyOption#ATOMIC_MOVE} where the file system can), so a reader sees the old file or the
 * new one, never half of one.
 *
 * <p>The temporary file is {@code .<name>.tmp-<pid>-<n>} ({@code pid} this process's id, {@code n} a counter
 * of this process's saves), created with {@link StandardOpenOption#CREATE_NEW} and no explicit permissions,
 * so it gets the same mode as any new file — {@code 0666} less the umask (e.g. {@code 0644}), the mode the
 * target keeps after the move ({@code Files.createTempFile} would make it {@code 0600}).
 *
 * <p>A process killed while saving leaves its temporary file behind. Each save first removes the stale ones
 * of the same target: {@code .<name>.tmp-<pid>-…} whose process is no longer alive
 * ({@link ProcessHandle#of}) — or, for this process's own id, that this process is not writing (a process
 * before it had the same id, as happens to the first process of a container) — and files named in the pattern of earlier versions, {@code .<name>.<digits>.tmp}
 * (which carry no process id), when untouched for {@link #LEGACY_STALE_AFTER} — a live writer rewrites its
 * file within seconds. Temporary files of live processes are left alone (a concurrent save of the same target
 * by another process). Process ids are those of this machine (container): on a file system shared between
 * machines or containers, another one's in-progress temporary file may be taken for stale.
 */
public final class AtomicFiles {
    /** How long a temporary file in the pre-pid naming must be untouched before a save removes it. */
    static final Duration LEGACY_STALE_AFTER = Duration.ofHours(1);
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();
    /** The temporary files this process is writing now (absolute paths). */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /** Writes the content of a file to an open channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Atomically replaces {@code file} by {@code content}. */
    public static void write(Path file, byte[] content) throws IOException {
        Objects.requireNonNull(content, "AtomicFiles.write: content");
        write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    /**
     * Atomically replaces {@code file} by what {@code content} writes: removes stale temporary files of
     * {@code file}, writes a fresh one, syncs it ({@link FileChannel#force}) and moves it over {@code file}.
     * On any failure the temporary file is deleted and {@code file} is unchanged.
     */
    public static void write(Path file, Content content) throws IOException {
        Objects.requireNonNull(file, "AtomicFiles.write: file");
        Objects.requireNonNull(content, "AtomicFiles.write: content");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        String name = target.getFileName().toString();
        removeStale(dir, name);
        Path tmp = (dir == null ? Path.of("") : dir).resolve(
                "." + name + ".tmp-" + PID + "-" + COUNTER.incrementAndGet());
        boolean moved = false;
        IN_FLIGHT.add(tmp);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                content.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            try {
                if (!moved) {
                    Files.deleteIfExists(tmp);
                }
            } finally {
                IN_FLIGHT.remove(tmp);
            }
        }
    }

    /** Deletes the stale temporary files of {@code name} in {@code dir} (see the class comment). */
    static void removeStale(Path dir, String name) throws IOException {
        Path d = dir == null ? Path.of("") : dir;
        String prefix = "." + name + ".";
        Instant legacyCutoff = Instant.now().minus(LEGACY_STALE_AFTER);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d,
                p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : files) {
                String rest = p.getFileName().toString().substring(prefix.length());
                boolean stale;
                if (rest.startsWith("tmp-")) {
                    long pid = pidOf(rest.substring(4));
                    stale = pid == PID ? !IN_FLIGHT.contains(p.toAbsolutePath())
                            : pid >= 0 && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
                } else if (rest.endsWith(".tmp") && rest.length() > 4
                        && rest.substring(0, rest.length() - 4).chars().allMatch(Character::isDigit)) {
                    stale = modifiedBefore(p, legacyCutoff);
                } else {
                    stale = false;
                }
                if (stale) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The process id of a temporary-file suffix {@code <pid>-<n>}, or −1 if it does not parse. */
    private static long pidOf(String suffix) {
        int dash = suffix.indexOf('-');
        String digits = dash < 0 ? suffix : suffix.substring(0, dash);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }

    private static boolean modifiedBefore(Path p, Instant cutoff) throws IOException {
        try {
            FileTime t = Files.getLastModifiedTime(p);
            return t.toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false; // removed meanwhile
        }
    }
}
