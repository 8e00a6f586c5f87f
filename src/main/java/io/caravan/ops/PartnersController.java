package io.caravan.ops;

import io.caravan.api.ApiException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/partners/exports?partner=&recent=} (viewer): exports sent per partner and sharing
 * agreement with their newest manifests ({@code recent}, 1 to 50, default 5), from
 * {@code caravan.export} (see {@link PartnerExports}). Bad parameters are {@code 400} naming them.
 */
@RestController
@RequestMapping("/api/partners")
class PartnersController {
    private static final int MAX_RECENT = 50;
    private static final int MAX_PARTNER_LENGTH = 200;

    private final PartnerExports exports;

    PartnersController(PartnerExports exports) {
        this.exports = exports;
    }

    @GetMapping("/exports")
    List<PartnerExports.Agreement> exports(@RequestParam(name = "partner", required = false) String partner,
                                           @RequestParam(name = "recent", defaultValue = "5") int recent) {
        if (recent < 1 || recent > MAX_RECENT) {
            throw ApiException.badRequest("recent must be between 1 and " + MAX_RECENT, "recent");
        }
        String filter = partner == null || partner.isBlank() ? null : partner.strip();
        if (filter != null && filter.length() > MAX_PARTNER_LENGTH) {
            throw ApiException.badRequest("partner is too long", "partner");
        }
        return exports.agreements(filter, recent);
    }
}
