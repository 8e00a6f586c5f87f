package io.caravan.lineage;

/** The versions lineage events name: Caravan's own and the OpenLineage client's. */
final class Versions {
    static final String CARAVAN = versionOf(Versions.class, "0.1.0-SNAPSHOT");
    static final String OPENLINEAGE = versionOf(io.openlineage.client.OpenLineage.class, "1.54.0");

    private Versions() {
    }

    private static String versionOf(Class<?> type, String fallback) {
        String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
        return version == null ? fallback : version;
    }
}
