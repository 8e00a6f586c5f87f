package io.caravan.ops;

import io.caravan.api.ApiError;
import tools.jackson.databind.ObjectMapper;
import io.caravan.platform.GeneratedUsers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * Security of the ops API: stateless HTTP Basic against the users of {@code caravan.security.users}
 * plus, in the embedded default, the {@link GeneratedUsers}; no sessions, no form login, no CSRF
 * (no cookies are ever issued, so there is nothing to forge). Rules, in order:
 * <ul>
 *   <li>actuator {@code health} and {@code prometheus}: anyone (health details only for viewers);</li>
 *   <li>{@code GET}/{@code HEAD /api/**}: role viewer; any other method on {@code /api/**}: role
 *       operator (reads need viewer, changes need operator, as the operations contract lists);</li>
 *   <li>the console's static files ({@code /console/}): anyone; they hold no data, and every call
 *       they make is an API call with the user's Basic credentials;</li>
 *   <li>everything else: any authenticated user.</li>
 * </ul>
 * Method security ({@code @PreAuthorize}) is enabled for finer rules. {@code 401}/{@code 403} carry
 * a JSON {@link ApiError}. Every answer carries a Content-Security-Policy that allows only
 * Caravan's own scripts, styles and API.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
@EnableConfigurationProperties(SecurityUsersProperties.class)
class SecurityConfiguration {
    /** The console loads only its own files and talks only to its own API: no inline script, no CDN. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    JsonSecurityErrors jsonSecurityErrors(ObjectMapper json) {
        return new JsonSecurityErrors(json);
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, JsonSecurityErrors errors) throws Exception {
        return http
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .httpBasic(basic -> basic.realmName("caravan").authenticationEntryPoint(errors))
                .exceptionHandling(e -> e.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(EndpointRequest.to("health", "prometheus")).permitAll()
                        .requestMatchers("/error").permitAll()
                        // the console's static files: every call they make is to /api/** with Basic credentials
                        .requestMatchers(HttpMethod.GET, "/", "/console", "/console/", "/console/*.html",
                                "/console/*.js", "/console/*.css", "/console/*.svg").permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/**").hasRole(Role.VIEWER.name())
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasRole(Role.VIEWER.name())
                        .requestMatchers("/api/**").hasRole(Role.OPERATOR.name())
                        .anyRequest().authenticated())
                .build();
    }

    /**
     * Configured users first; a generated user whose name a configured user already has is left out.
     *
     * @throws IllegalStateException when there is no user at all (the API would be unusable)
     */
    @Bean
    UserDetailsService apiUsers(SecurityUsersProperties configured, ObjectProvider<GeneratedUsers> generated,
                                PasswordEncoder encoder) {
        List<UserDetails> users = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (SecurityUsersProperties.User user : configured.users()) {
            users.add(user(user.name(), user.password(), user.roles()));
            names.add(user.name());
        }
        GeneratedUsers extra = generated.getIfAvailable();
        if (extra != null) {
            for (GeneratedUsers.User user : extra.users()) {
                if (names.add(user.name())) {
                    users.add(user(user.name(), encoder.encode(user.password()), user.roles()));
                }
            }
        }
        if (users.isEmpty()) {
            throw new IllegalStateException("no ops API users: configure caravan.security.users");
        }
        return new InMemoryUserDetailsManager(users);
    }

    private static UserDetails user(String name, String encodedPassword, Collection<String> roles) {
        Set<String> authorities = new TreeSet<>();
        roles.stream().map(Role::parse).filter(Objects::nonNull)
                .flatMap(role -> role.withIncluded().stream())
                .forEach(role -> authorities.add("ROLE_" + role.name()));
        return User.withUsername(name).password(encodedPassword).authorities(authorities.toArray(String[]::new)).build();
    }

    /** Before every other filter, security included. */
    @Bean
    FilterRegistrationBean<CamelHeaderFilter> camelHeaderFilter() {
        FilterRegistrationBean<CamelHeaderFilter> registration = new FilterRegistrationBean<>(new CamelHeaderFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
