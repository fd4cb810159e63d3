package probe;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exceptions whose class name is a given error type. The Java client reports {@code errorType} as the thrown
 * exception's class name (LambdaErrorConverter.fromThrowable), and a probe event names its error type at run time
 * ({@code "Probe.Boom"}), so the class is made on demand: {@code public class <type> extends RuntimeException} with
 * one {@code (String)} constructor, written as a minimal class file and defined by a private class loader.
 */
final class ErrorTypes {
    private static final Loader LOADER = new Loader();
    private static final Map<String, Class<?>> CLASSES = new ConcurrentHashMap<>();

    private ErrorTypes() {
    }

    static RuntimeException create(String type, String message) {
        Class<?> cls;
        try {
            cls = CLASSES.computeIfAbsent(type, LOADER::define);
        } catch (LinkageError | IllegalArgumentException notAClassName) {
            // A type the JVM cannot take as a class name ("a/b", "[x"): the nearest one that it can.
            cls = CLASSES.computeIfAbsent("Probe.Error", LOADER::define);
        }
        try {
            return (RuntimeException) cls.getConstructor(String.class).newInstance(message);
        } catch (ReflectiveOperationException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static final class Loader extends ClassLoader {
        Loader() {
            super(ErrorTypes.class.getClassLoader());
        }

        Class<?> define(String binaryName) {
            byte[] bytes = classFile(binaryName.replace('.', '/'));
            return defineClass(binaryName, bytes, 0, bytes.length);
        }
    }

    /** The class file (version 52, no stack map needed: the constructor has no branches). */
    private static byte[] classFile(String internalName) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(52);
            out.writeShort(10); // constant pool entries 1..9
            out.writeByte(1); out.writeUTF(internalName);                   // #1 Utf8 this
            out.writeByte(7); out.writeShort(1);                            // #2 Class #1
            out.writeByte(1); out.writeUTF("java/lang/RuntimeException");   // #3 Utf8 super
            out.writeByte(7); out.writeShort(3);                            // #4 Class #3
            out.writeByte(1); out.writeUTF("<init>");                       // #5
            out.writeByte(1); out.writeUTF("(Ljava/lang/String;)V");        // #6
            out.writeByte(12); out.writeShort(5); out.writeShort(6);        // #7 NameAndType
            out.writeByte(10); out.writeShort(4); out.writeShort(7);        // #8 Methodref super.<init>(String)
            out.writeByte(1); out.writeUTF("Code");                         // #9
            out.writeShort(0x0021); // public super
            out.writeShort(2);
            out.writeShort(4);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(1); // methods
            out.writeShort(0x0001); // public
            out.writeShort(5);
            out.writeShort(6);
            out.writeShort(1); // attributes: Code
            out.writeShort(9);
            byte[] code = {0x2A, 0x2B, (byte) 0xB7, 0x00, 0x08, (byte) 0xB1}; // aload_0 aload_1 invokespecial #8 return
            out.writeInt(2 + 2 + 4 + code.length + 2 + 2);
            out.writeShort(2); // max stack
            out.writeShort(2); // max locals
            out.writeInt(code.length);
            out.write(code);
            out.writeShort(0); // exception table
            out.writeShort(0); // code attributes
            out.writeShort(0); // class attributes
            out.flush();
            return buf.toByteArray();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
