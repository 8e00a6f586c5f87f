package io.caravan.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.preview.*}: the limits of {@code POST /api/connectors/{id}/preview}, on top of the
 * connector's own ingestion limits ({@code limits.maxFileBytes}, {@code limits.maxFieldChars}).
 *
 * @param maxBytes   the largest sample file read (default 16 MiB); a larger one is refused when the byte over it arrives
 * @param maxColumns a sample with more columns is refused (default 1000)
 * @param rows       rows shown when the call names none (default 20)
 * @param maxRows    the most rows a call may ask for (default 200)
 * @param maxIssues  rejections and warnings listed, each (default 500; all are counted)
 */
@ConfigurationProperties("caravan.preview")
record PreviewProperties(Long maxBytes, Integer maxColumns, Integer rows, Integer maxRows, Integer maxIssues) {
    PreviewProperties {
        maxBytes = maxBytes == null ? 16L * 1024 * 1024 : maxBytes;
        maxColumns = maxColumns == null ? 1000 : maxColumns;
        rows = rows == null ? 20 : rows;
        maxRows = maxRows == null ? 200 : maxRows;
        maxIssues = maxIssues == null ? 500 : maxIssues;
        if (maxBytes < 1 || maxColumns < 1 || rows < 0 || maxRows < rows || maxIssues < 0) {
            throw new IllegalArgumentException("caravan.preview: max-bytes and max-columns must be positive, "
                    + "rows between 0 and max-rows, max-issues not negative");
        }
    }
}
