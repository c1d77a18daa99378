package dev.splicerelay;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The one place the {@link SpliceEngine#IO_HANDLE} engine touches Netty: Netty 4.2's I/O registration API
 * ({@code IoEventLoop.register}, {@code EpollIoHandle}, {@code IoRegistration.submit}), the internal
 * {@link Native#splice} and the channels' own sockets. {@code EpollIoTest} fails loudly if an upgrade changes any
 * behaviour relied on here.
 *
 * <p>The registration API is bound reflectively, and the handle is a {@link Proxy} of {@code EpollIoHandle}, because
 * the library also compiles and runs on Netty 4.1, which has none of it: there {@link #unavailableReason()} says so
 * and relays use Netty's {@code spliceTo}.
 *
 * <p>What the engine relies on, read in Netty 4.2.12's {@code EpollIoHandler}:
 * <ul>
 *   <li>registrations are kept by fd <em>number</em>; a channel's own registration must therefore be cancelled
 *   (the channel deregistered) before a handle for its socket is registered, or they replace each other;</li>
 *   <li>{@code cancel()} on the event loop removes the registration at once, issues {@code EPOLL_CTL_DEL} only if the
 *   handle's fd is still open (so {@link #register} must be given the channel's own socket object, never a new
 *   {@link FileDescriptor} for its number), and leaves alone a registration that already replaced it;</li>
 *   <li>an interest set of 0 must never be submitted: 4.2.12 keeps the fd in epoll with only {@code EPOLLHUP} and
 *   {@code EPOLLERR}, reported level-triggered for ever once they hold, and 4.2.13+ remove the fd without noting it,
 *   so that the next submit fails with ENOENT. {@link #IDLE} ({@code EPOLLET} alone) is the interest set of a socket
 *   that is waited on for nothing: those two conditions are then reported once, edge-triggered;</li>
 *   <li>an exception thrown out of {@code IoHandle.handle} makes the event loop sleep for a second, so the handle
 *   never throws;</li>
 *   <li>{@link #splice} returns 0 both for EAGAIN and for end of stream, and reports a reset or a broken pipe as an
 *   {@link IOException} whose message says so.</li>
 * </ul>
 *
 * <p>Threading: {@link #register} and every method of a {@link Registration} run on the event loop.
 */
final class EpollIo {
    private static final InternalLogger LOGGER = InternalLoggerFactory.getInstance(EpollIo.class);

    static final int IN = Native.EPOLLIN;
    static final int OUT = Native.EPOLLOUT;
    static final int RDHUP = Native.EPOLLRDHUP;
    static final int ERR = Native.EPOLLERR;
    /** Linux's {@code EPOLLHUP}, for which Netty has no constant. */
    static final int HUP = 0x10;
    /** The interest set of a socket waited on for nothing; see the class comment. */
    static final int IDLE = Native.EPOLLET;

    private static final Class<?> EPOLL_IO_HANDLE;
    private static final Class<?> IO_EVENT_LOOP;
    private static final MethodHandle IS_COMPATIBLE;
    private static final MethodHandle REGISTER;
    private static final MethodHandle SUBMIT;
    private static final MethodHandle CANCEL;
    private static final MethodHandle OPS_OF;
    private static final MethodHandle EVENT_OPS;
    private static final String UNAVAILABLE_REASON;

    static {
        Class<?> handleClass = null;
        Class<?> loopClass = null;
        MethodHandle isCompatible = null;
        MethodHandle register = null;
        MethodHandle submit = null;
        MethodHandle cancel = null;
        MethodHandle opsOf = null;
        MethodHandle eventOps = null;
        String reason = null;
        try {
            ClassLoader netty = Channel.class.getClassLoader();
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            handleClass = Class.forName("io.netty.channel.epoll.EpollIoHandle", false, netty);
            loopClass = Class.forName("io.netty.channel.IoEventLoop", false, netty);
            Class<?> handle = Class.forName("io.netty.channel.IoHandle", false, netty);
            Class<?> registration = Class.forName("io.netty.channel.IoRegistration", false, netty);
            Class<?> ops = Class.forName("io.netty.channel.IoOps", false, netty);
            Class<?> epollOps = Class.forName("io.netty.channel.epoll.EpollIoOps", false, netty);
            Class<?> epollEvent = Class.forName("io.netty.channel.epoll.EpollIoEvent", false, netty);
            isCompatible = lookup.findVirtual(loopClass, "isCompatible",
                    MethodType.methodType(boolean.class, Class.class));
            register = lookup.findVirtual(loopClass, "register", MethodType.methodType(Future.class, handle));
            // The handles used per event or per interest change are typed with Object, so that they can be called
            // with invokeExact, without an adaptation at each call.
            submit = lookup.findVirtual(registration, "submit", MethodType.methodType(long.class, ops))
                    .asType(MethodType.methodType(void.class, Object.class, Object.class));
            cancel = lookup.findVirtual(registration, "cancel", MethodType.methodType(boolean.class));
            opsOf = lookup.findStatic(epollOps, "valueOf", MethodType.methodType(epollOps, int.class))
                    .asType(MethodType.methodType(Object.class, int.class));
            eventOps = MethodHandles.filterReturnValue(
                    lookup.findVirtual(epollEvent, "ops", MethodType.methodType(epollOps)),
                    lookup.findVirtual(epollOps, "value", MethodType.methodType(int.class)))
                    .asType(MethodType.methodType(int.class, Object.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            reason = "this Netty has no epoll I/O registration API (Netty 4.2's IoEventLoop.register, EpollIoHandle): "
                    + e;
        }
        EPOLL_IO_HANDLE = handleClass;
        IO_EVENT_LOOP = loopClass;
        IS_COMPATIBLE = isCompatible;
        REGISTER = register;
        SUBMIT = submit;
        CANCEL = cancel;
        OPS_OF = opsOf;
        EVENT_OPS = eventOps;
        UNAVAILABLE_REASON = reason;
    }

    private EpollIo() {
    }

    /** Why this Netty cannot run the engine at all, or {@code null} if it can. */
    static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /** What keeps the engine from taking over epoll stream channels of {@code loop}, or {@code null}. */
    static String obstacle(EventLoop loop) {
        if (UNAVAILABLE_REASON != null) {
            return UNAVAILABLE_REASON;
        }
        if (!IO_EVENT_LOOP.isInstance(loop) || !isCompatible(loop)) {
            return "the event loop " + loop.getClass().getSimpleName() + " cannot register an EpollIoHandle";
        }
        return null;
    }

    private static boolean isCompatible(EventLoop loop) {
        try {
            return (boolean) IS_COMPATIBLE.invoke(loop, EPOLL_IO_HANDLE);
        } catch (Throwable e) {
            return false;
        }
    }

    /** The channel's own socket: the object whose {@code isOpen()} Netty's {@code cancel()} asks. */
    static FileDescriptor socket(Channel channel) {
        return ((AbstractEpollStreamChannel) channel).fd();
    }

    /**
     * What a registered socket reports to the engine; never called after its registration was cancelled.
     *
     * <p>{@link #loopClosing()} comes from Netty's {@code prepareToDestroy}, which Netty 4.2.12 skips when a
     * shutdown with a quiet period of 0 is requested while the loop runs tasks rather than waits in
     * {@code epoll_wait}; Netty's own channels then stay open too. {@link PipePool} closes the pipes anyway.
     */
    interface Listener {
        /** The socket is ready: {@code ops} is a mask of {@link #IN}, {@link #OUT}, {@link #RDHUP}, ... */
        void ready(int ops);

        /** The event loop is shutting down and has already cancelled the registration. */
        void loopClosing();
    }

    /**
     * Registers {@code socket} with {@code loop} for {@code listener}; nothing is asked for until
     * {@link Registration#interest}. Must run on {@code loop}, where Netty registers at once.
     */
    static Registration register(EventLoop loop, FileDescriptor socket, Listener listener) throws IOException {
        Object handle = Proxy.newProxyInstance(EPOLL_IO_HANDLE.getClassLoader(), new Class<?>[] {EPOLL_IO_HANDLE},
                new Handle(socket, listener));
        Future<?> registered;
        try {
            registered = (Future<?>) REGISTER.invoke(loop, handle);
        } catch (Throwable e) {
            throw new IOException("cannot register fd " + socket.intValue() + " with " + loop, e);
        }
        if (!registered.isSuccess()) {
            throw new IOException("cannot register fd " + socket.intValue() + " with " + loop, registered.cause());
        }
        return new Registration(registered.getNow());
    }

    /** One socket's registration with the event loop. */
    static final class Registration {
        private final Object registration;
        private int interest = -1;

        private Registration(Object registration) {
            this.registration = registration;
        }

        /** Asks for {@code ops}, level-triggered; 0 means nothing and is submitted as {@link #IDLE}. */
        void interest(int ops) throws IOException {
            int wanted = ops == 0 ? IDLE : ops;
            if (wanted == interest) {
                return;
            }
            try {
                SUBMIT.invokeExact(registration, (Object) OPS_OF.invokeExact(wanted));
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
            interest = wanted;
        }

        /** Cancels the registration; the socket gets no more events. Idempotent. */
        void cancel() {
            try {
                CANCEL.invoke(registration);
            } catch (Throwable e) {
                LOGGER.debug("Cannot cancel {}", registration, e);
            }
        }
    }

    /** The {@code EpollIoHandle} proxy: it never throws, as Netty would stall the event loop for a second. */
    private static final class Handle implements InvocationHandler {
        private final FileDescriptor socket;
        private final Listener listener;

        Handle(FileDescriptor socket, Listener listener) {
            this.socket = socket;
            this.listener = listener;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            try {
                switch (method.getName()) {
                    case "fd":
                        return socket;
                    case "handle":
                        listener.ready((int) EVENT_OPS.invokeExact(args[1]));
                        return null;
                    case "close":
                        listener.loopClosing();
                        return null;
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "splice-relay handle for fd " + socket.intValue();
                    default:
                        // registered(), unregistered(): nothing to do.
                        return null;
                }
            } catch (Throwable e) {
                LOGGER.warn("Unexpected exception in the splice engine's handle for fd {}", socket.intValue(), e);
                return null;
            }
        }
    }

    /**
     * Splices up to {@code len} bytes from {@code from} to {@code to}, without blocking.
     *
     * @return the bytes moved; 0 if {@code from} has nothing now, {@code to} has no room, or {@code from} is at end
     *         of stream (Netty reports EAGAIN as 0)
     */
    static int splice(FileDescriptor from, FileDescriptor to, int len) throws IOException {
        return Native.splice(from.intValue(), -1, to.intValue(), -1, len);
    }

    /**
     * The error pending on {@code socket} (a reset, for one), taken from it, or {@code null}. For sockets whose
     * {@link #ERR} arrives while the engine reads and writes nothing on them.
     */
    static IOException takeError(FileDescriptor socket) throws IOException {
        int err = ((Socket) socket).getSoError();
        return err == 0 ? null : Errors.newIOException("getsockopt(SO_ERROR)", -err);
    }

    /** A new non-blocking pipe: read end, then write end. */
    static FileDescriptor[] pipe() throws IOException {
        return FileDescriptor.pipe();
    }
}
