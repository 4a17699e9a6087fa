package dev.nabla.dsl.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Errors of opening a file to load, shared by the checkpoint, {@code .npy} and CSV readers: the JDK's own say
 * only {@code NoSuchFileException: a/b.npy}, or {@code IOException: Is a directory} without any path. These
 * name the path and what was being loaded, and keep the JDK's exception type (a missing file is still a
 * {@link NoSuchFileException}, whose {@link FileSystemException#getFile()} is the path).
 */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * Checks that {@code path} is an existing regular file (or a link to one) before it is read.
     *
     * @param what what is being loaded, e.g. {@code "Npy.read: .npy array"}
     * @throws NoSuchFileException   naming the path and {@code what} when nothing is there
     * @throws FileSystemException   naming the path and {@code what} when it is a directory or another
     *                               non-regular file
     */
    public static void checkReadable(Path path, String what) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw explain(e, path, what);
        }
        if (a.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "cannot load " + what
                    + ": it is a directory, expected a file");
        }
        if (!a.isRegularFile()) {
            throw new FileSystemException(path.toString(), null, "cannot load " + what
                    + ": it is not a regular file (a device, pipe or socket), expected a file");
        }
    }

    /**
     * {@code e}, raised while opening or reading {@code path}, restated with the path and {@code what}: the
     * same {@link FileSystemException} subtype (missing file, access denied, …) with a reason saying what was
     * being loaded, or an {@link IOException} {@code "cannot load <what> <path>: <message>"}; {@code e} is the
     * cause.
     */
    public static IOException explain(IOException e, Path path, String what) {
        String file = path.toString();
        IOException out;
        if (e instanceof NoSuchFileException) {
            out = new NoSuchFileException(file, null, "cannot load " + what + ": no such file");
        } else if (e instanceof AccessDeniedException) {
            out = new AccessDeniedException(file, null, "cannot load " + what + ": permission denied");
        } else if (e instanceof FileSystemException f) {
            out = new FileSystemException(file, f.getOtherFile(), "cannot load " + what + ": "
                    + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName()));
        } else {
            out = new IOException("cannot load " + what + " " + file + ": " + e.getMessage());
        }
        out.initCause(e);
        return out;
    }
}
