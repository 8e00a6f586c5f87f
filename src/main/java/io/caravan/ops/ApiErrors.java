package io.caravan.ops;

import io.caravan.api.ApiError;
import io.caravan.api.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolationException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns every failure of an API call into a JSON {@link ApiError}: bad input is {@code 400} naming
 * the problem and the field (malformed JSON, a wrong type, a missing or invalid parameter), an
 * unknown path {@code 404}, a wrong method {@code 405}; {@link ApiException}s keep their status.
 * Only a fault of Caravan itself is {@code 500}, answered with a generic message and logged.
 * Messages are written here, never copied from the exception, because parser messages quote the
 * values that were sent. Security exceptions are passed on to Spring Security (401/403).
 *
 * <p>Lowest precedence, so a component's own advice can take over its exceptions.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiErrors extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> refused(ApiException e) {
        return ResponseEntity.status(e.status()).body(e.body());
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<ApiError> invalid(ConstraintViolationException e) {
        String field = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()))
                .sorted().findFirst().orElse(null);
        return ResponseEntity.badRequest().body(new ApiError("invalid value", field));
    }

    /** Let Spring Security's handlers answer 401 and 403. */
    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void security(RuntimeException e) {
        throw e;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> fault(Exception e) {
        LOG.error("API call failed ({})", e.getClass().getName(), e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(ApiError.of("internal error"));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ApiError error = describe(ex, statusCode);
        HttpHeaders answerHeaders = new HttpHeaders();
        if (headers != null) {
            answerHeaders.putAll(headers);
        }
        answerHeaders.remove(HttpHeaders.CONTENT_TYPE);
        return ResponseEntity.status(statusCode).headers(answerHeaders).body(error);
    }

    private static ApiError describe(Exception ex, HttpStatusCode status) {
        if (ex instanceof HttpMessageNotReadableException unreadable) {
            return unreadable(unreadable);
        }
        if (ex instanceof MissingServletRequestParameterException missing) {
            return new ApiError("required parameter is missing", missing.getParameterName());
        }
        if (ex instanceof MissingPathVariableException missing) {
            return new ApiError("required path element is missing", missing.getVariableName());
        }
        if (ex instanceof TypeMismatchException mismatch) {
            Class<?> type = mismatch.getRequiredType();
            return new ApiError("must be " + typeName(type), mismatch.getPropertyName());
        }
        if (ex instanceof MethodArgumentNotValidException invalid) {
            FieldError first = invalid.getBindingResult().getFieldErrors().stream().findFirst().orElse(null);
            return first == null
                    ? ApiError.of("invalid request")
                    : new ApiError("invalid value (" + first.getCode() + ")", first.getField());
        }
        if (ex instanceof HandlerMethodValidationException invalid) {
            String field = invalid.getParameterValidationResults().stream()
                    .map(r -> r.getMethodParameter().getParameterName())
                    .collect(Collectors.joining(","));
            return new ApiError("invalid value", field.isEmpty() ? null : field);
        }
        if (ex instanceof NoResourceFoundException) {
            return ApiError.of("not found");
        }
        HttpStatus known = HttpStatus.resolve(status.value());
        return ApiError.of(known == null ? "request refused" : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT));
    }

    private static ApiError unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return new ApiError("unknown field", unknown.getPropertyName());
        }
        if (cause instanceof MismatchedInputException mismatch) {
            String field = path(mismatch);
            Class<?> type = mismatch.getTargetType();
            return new ApiError(type == null ? "wrong type" : "must be " + typeName(type), field);
        }
        if (cause instanceof DatabindException mapping) {
            return new ApiError("invalid value", path(mapping));
        }
        if (cause instanceof JacksonException) {
            return ApiError.of("malformed JSON");
        }
        return ApiError.of("request body is missing or unreadable");
    }

    private static String path(DatabindException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? null : path.replace(".[", "[");
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class
                || type == double.class || type == short.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of the documented values";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 date or time";
        }
        if (type == String.class) {
            return "a string";
        }
        return "a " + type.getSimpleName();
    }

    private static String lastNode(String propertyPath) {
        int dot = propertyPath.lastIndexOf('.');
        return dot < 0 ? propertyPath : propertyPath.substring(dot + 1);
    }
}
