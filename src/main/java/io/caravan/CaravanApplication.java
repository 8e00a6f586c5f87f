package io.caravan;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CaravanApplication {
    /** Runs Caravan; with {@code validate} as the first argument only checks the repository's files (see {@link Validate}). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("validate")) {
            Validate.main(args);
            return;
        }
        SpringApplication.run(CaravanApplication.class, args);
    }
}
