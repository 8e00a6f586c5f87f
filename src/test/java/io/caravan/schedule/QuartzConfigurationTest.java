package io.caravan.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class QuartzConfigurationTest {
    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(QuartzConfiguration.class);

    @Test
    void quartzPropertiesOfTheConfigurationReachTheComponent() {
        context.withPropertyValues(
                        "camel.component.quartz.properties[org.quartz.scheduler.instanceName]=caravan",
                        "camel.component.quartz.properties[org.quartz.jobStore.isClustered]=true")
                .run(ctx -> assertThat(ctx.getBean("quartz", QuartzComponent.class).getProperties())
                        .containsEntry("org.quartz.scheduler.instanceName", "caravan")
                        .containsEntry("org.quartz.jobStore.isClustered", "true"));
    }

    @Test
    void withoutPropertiesTheComponentKeepsQuartzDefaults() {
        context.run(ctx -> assertThat(ctx.getBean("quartz", QuartzComponent.class).getProperties()).isNull());
    }
}
