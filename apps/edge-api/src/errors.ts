/**
 * The one error shape every endpoint answers with: `{"error": {"code", "message"}}`.
 */
import type { ApiErrorCode, ErrorBody } from "@edgegan/shared/api-bodies";

/** Machine-readable error codes of this API: a closed list (API_ERROR_CODES in shared). */
export type ErrorCode = ApiErrorCode;

/** JSON body of every error response (declared in @edgegan/shared/api-bodies). */
export type { ErrorBody };

/** Build an error Response (never cached). */
export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = { error: { code, message } };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}
