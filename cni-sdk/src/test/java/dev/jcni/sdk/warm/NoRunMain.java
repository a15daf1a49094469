package dev.jcni.sdk.warm;

/** A main that never calls PluginMain.run: it cannot be loaded, so its calls go cold. */
public final class NoRunMain {
    private NoRunMain() {
    }

    public static void main(String[] args) {
        System.out.println("{\"cniVersion\":\"1.0.0\",\"code\":999,\"msg\":\"no plugin here\"}");
    }
}
