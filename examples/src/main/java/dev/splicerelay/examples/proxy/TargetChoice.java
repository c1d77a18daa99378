package dev.splicerelay.examples.proxy;

/**
 * The targets one client may be connected to, in the order to try them: each target at most once, and only while it
 * is up. Made per client by {@link TargetGroup#choice()}, or for one named target by {@link #only}.
 *
 * <p>Threading: used on the client's event loop only.
 */
interface TargetChoice {
    /** The next target to try, or {@code null} if no untried target is up. */
    Target next();

    /** {@code target} alone, if it is up when asked. */
    static TargetChoice only(Target target) {
        return new TargetChoice() {
            private boolean tried;

            @Override
            public Target next() {
                if (tried || !target.isUp()) {
                    return null;
                }
                tried = true;
                return target;
            }
        };
    }
}
