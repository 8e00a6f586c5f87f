package io.caravan.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every error answer of the API: what is wrong and, where one is to blame, the field
 * or parameter. Names the problem, never the value that was sent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {
    public static ApiError of(String error) {
        return new ApiError(error, null);
    }
}
