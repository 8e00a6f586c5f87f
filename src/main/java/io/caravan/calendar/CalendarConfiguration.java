package io.caravan.calendar;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The delivery calendars ({@code partners.yaml}, {@code holidays.yaml} in {@code caravan.config-dir}),
 * checked at start-up, and the monitor that evaluates them every
 * {@code caravan.deliveries.evaluate-every} (default one minute; {@code PT0S} turns it off) over the
 * last {@code caravan.deliveries.lookback} (default seven days).
 */
@Configuration(proxyBeanMethods = false)
class CalendarConfiguration {

    /** The time of the calendars and notifications; tests give their own. */
    @Bean
    Clock caravanClock() {
        return Clock.systemUTC();
    }

    @Bean
    HolidayCalendars holidayCalendars(@Value("${caravan.config-dir:config}") Path configDir) {
        return HolidayCalendars.load(configDir.resolve("holidays.yaml"));
    }

    @Bean
    DeliveryPlans deliveryPlans(@Value("${caravan.config-dir:config}") Path configDir, HolidayCalendars holidays) {
        return DeliveryPlans.load(configDir.resolve("partners.yaml"), holidays);
    }

    @Bean
    DeliveryCalendar deliveryCalendar(DeliveryPlans plans, DataSource dataSource, Clock clock) {
        return new DeliveryCalendar(plans, dataSource, clock);
    }

    @Bean(destroyMethod = "close")
    DeliveryMonitor deliveryMonitor(DeliveryCalendar calendar, DataSource dataSource, ObjectProvider<MeterRegistry> meters,
                                    @Value("${caravan.deliveries.lookback:P7D}") Duration lookback) {
        return new DeliveryMonitor(calendar, dataSource, meters.getIfAvailable(), lookback);
    }

    /** Starts the monitor once every bean exists: its listeners (notifications) are registered by then. */
    @Bean
    SmartInitializingSingleton deliveryMonitorStart(DeliveryMonitor monitor,
                                                    @Value("${caravan.deliveries.evaluate-every:PT1M}") Duration every) {
        return () -> monitor.start(every);
    }
}
