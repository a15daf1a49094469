/** Runnable examples from the jcni documentation. */
module dev.jcni.examples {
    requires dev.jcni.sdk;
}
