package io.caravan.ops;

import io.caravan.api.ApiException;
import java.time.LocalDate;
import java.util.List;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/dashboards/media-vs-sales?from=&to=&model=} (viewer): the rows of the warehouse
 * view {@code caravan.media_spend_vs_sales}, oldest week first. {@code from} and {@code to} are ISO
 * dates (a week is included when its Monday lies in the range); {@code model} matches the
 * normalised model key ({@code ID.4}, {@code id4} and {@code Id 4} are the same model). An invalid
 * date, {@code from} after {@code to} or an over-long model is {@code 400} naming the parameter.
 */
@RestController
@RequestMapping("/api/dashboards")
class DashboardsController {
    private static final int MAX_MODEL_LENGTH = 100;

    private final MediaSpendVsSales view;

    DashboardsController(MediaSpendVsSales view) {
        this.view = view;
    }

    /** The answer: the rows and whether {@link MediaSpendVsSales#MAX_ROWS} cut them short. */
    record MediaVsSales(List<MediaSpendVsSales.Point> rows, boolean truncated) {
    }

    @GetMapping("/media-vs-sales")
    MediaVsSales mediaVsSales(
            @RequestParam(name = "from", required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(name = "to", required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
            @RequestParam(name = "model", required = false) String model) {
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("from must not be after to", "from");
        }
        String modelFilter = model == null || model.isBlank() ? null : model.strip();
        if (modelFilter != null && modelFilter.length() > MAX_MODEL_LENGTH) {
            throw ApiException.badRequest("model is too long", "model");
        }
        List<MediaSpendVsSales.Point> rows = view.points(from, to, modelFilter);
        return new MediaVsSales(rows, rows.size() >= MediaSpendVsSales.MAX_ROWS);
    }
}
