import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Re-emits the classes of a jar compiled for a class file version below 52 (Java 8) as version 52, with the
 * StackMapTable frames that version requires, using the JDK's own class file API; everything else in the jar is
 * copied unchanged, in the same order with the same times. bin/package runs it on the jars that go into a release
 * (picocli is compiled for Java 5): the JVM verifies such old classes with the old type-inferring verifier at every
 * start, and its AOT cache does not store them. The code itself is not changed.
 *
 * <p>Usage: {@code java packaging/ClassVersionRewrite.java IN.jar OUT.jar}
 */
public final class ClassVersionRewrite {
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java ClassVersionRewrite.java IN.jar OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        var entries = new LinkedHashMap<ZipEntry, byte[]>();
        var classes = new HashMap<String, byte[]>(); // internal name -> bytes, for the class hierarchy
        try (var zip = new ZipFile(in.toFile())) {
            for (var e : java.util.Collections.list(zip.entries())) {
                byte[] b;
                try (InputStream s = zip.getInputStream(e)) {
                    b = s.readAllBytes();
                }
                entries.put(e, b);
                if (e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")) {
                    classes.put(e.getName().substring(0, e.getName().length() - ".class".length()), b);
                }
            }
        }
        // the jar's own classes first (picocli's nested types), then the JDK's
        ClassHierarchyResolver resolver = ClassHierarchyResolver.ofResourceParsing((ClassDesc d) -> {
                    String desc = d.descriptorString(); // Lpkg/Name;
                    byte[] b = classes.get(desc.substring(1, desc.length() - 1));
                    return b == null ? null : new ByteArrayInputStream(b);
                })
                .orElse(ClassHierarchyResolver.defaultResolver())
                .cached();
        var cf = ClassFile.of(
                ClassFile.ClassHierarchyResolverOption.of(resolver), ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
        // every method body rebuilt (so its frames are computed), the version raised
        ClassTransform raise = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen((builder, element) -> {
                    if (element instanceof ClassFileVersion) builder.withVersion(TARGET, 0);
                    else builder.with(element);
                });
        int rewritten = 0;
        Map<ZipEntry, byte[]> result = new LinkedHashMap<>();
        for (var en : entries.entrySet()) {
            byte[] b = en.getValue();
            String name = en.getKey().getName();
            if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                var model = cf.parse(b);
                if (model.majorVersion() < TARGET) {
                    try {
                        b = cf.transformClass(model, raise);
                    } catch (RuntimeException e) {
                        throw new IllegalStateException(name + ": " + e.getMessage(), e);
                    }
                    // the result must pass the verifier of its new version
                    var problems = cf.verify(b);
                    if (!problems.isEmpty()) throw new IllegalStateException(name + ": " + problems);
                    rewritten++;
                }
            }
            result.put(en.getKey(), b);
        }
        try (var zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (var en : result.entrySet()) {
                var e = new ZipEntry(en.getKey().getName());
                e.setTime(en.getKey().getTime());
                zip.putNextEntry(e);
                zip.write(en.getValue());
                zip.closeEntry();
            }
        }
        System.err.println("package: " + in.getFileName() + ": " + rewritten + " classes re-emitted as class file version "
                + TARGET);
    }
}
