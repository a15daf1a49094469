package dev.jcni.sdk.invoke;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.TraceContext;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A plugin whose DEL keeps the trace context it saw and logs a warning (for the trace id on the line). */
public final class TracePlugin implements Plugin {
    /** The trace context of the last DEL. */
    public static final AtomicReference<Optional<TraceContext>> SEEN = new AtomicReference<>();

    public static void main(String[] args) {
        PluginMain.run(new TracePlugin());
    }

    @Override
    public Result add(Request request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void check(Request request) {
    }

    @Override
    public void del(Request request) {
        SEEN.set(request.traceContext());
        request.logger().log(System.Logger.Level.WARNING, "deleting");
    }
}
