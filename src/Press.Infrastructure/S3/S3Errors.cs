using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Press.Core.Jobs;

namespace Press.Infrastructure.S3;

/// <summary>
/// Translates AWS SDK errors into Press's at the boundary (house style: classify by whose side failed): the store
/// unreachable, slow or failing on its side → Transient; credentials refused, access denied, a missing bucket or any
/// other refusal of the request → Permanent, with a message an operator can act on.
/// </summary>
internal static class S3Errors
{
    private static readonly HashSet<string> CredentialCodes = new(StringComparer.Ordinal)
    {
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired",
        "AuthorizationHeaderMalformed", "InvalidSecurity", "InvalidClientTokenId",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "RequestTimeTooSkewed", "OperationAborted",
    };

    /// <summary>The exception to throw instead of <paramref name="ex"/>, or null to rethrow it unchanged
    /// (cancellation asked for by the caller, or something that is not the store's doing).</summary>
    public static Exception? Translate(Exception ex, string store, string what, string? accessKey, CancellationToken ct)
    {
        if (ex is OperationCanceledException && ct.IsCancellationRequested) return null;
        if (ex is StepFailedException) return null;
        if (ex is AmazonServiceException service && service.StatusCode != 0 && !IsNetwork(ex))
            return FromResponse(service, store, what, accessKey);
        if (IsNetwork(ex) || ex is OperationCanceledException) // a timeout is an OperationCanceledException the caller did not ask for
            return new StepFailedException(FailureKind.Transient,
                $"{what}: cannot reach {store}: {Innermost(ex).Message}", ex);
        if (ex is AmazonClientException)
            return new StepFailedException(FailureKind.Permanent, $"{what}: {store}: {ex.Message}", ex);
        return null;
    }

    private static StepFailedException FromResponse(AmazonServiceException ex, string store, string what, string? accessKey)
    {
        var code = ex.ErrorCode ?? "";
        var status = (int)ex.StatusCode;
        var detail = $"{status} {code} {ex.Message}".Trim();
        if (CredentialCodes.Contains(code))
            return new StepFailedException(FailureKind.Permanent,
                $"{what}: {store} refused the credentials (access key {Mask(accessKey)}): {detail}. " +
                "Check Press:S3:AccessKey and Press:S3:SecretKey (or their _FILE secrets).", ex);
        if (ex.StatusCode == HttpStatusCode.Forbidden && code is "" or "Forbidden")
            // HEAD answers carry no error body: 403 is all there is.
            return new StepFailedException(FailureKind.Permanent,
                $"{what}: {store} answered 403: the credentials were refused or lack permission (access key {Mask(accessKey)}). " +
                "Check Press:S3:AccessKey and Press:S3:SecretKey (or their _FILE secrets).", ex);
        if (code == "AccessDenied")
            return new StepFailedException(FailureKind.Permanent,
                $"{what}: {store} denied access: the credentials (access key {Mask(accessKey)}) were accepted but lack permission: {detail}", ex);
        if (code == "NoSuchBucket")
            return new StepFailedException(FailureKind.Permanent,
                $"{what}: {store}: the bucket does not exist; create it, or let Press create it (Press:S3:CreateBucket=true)", ex);
        var transient = status >= 500 || status is 408 or 429 || TransientCodes.Contains(code);
        return new StepFailedException(transient ? FailureKind.Transient : FailureKind.Permanent, $"{what}: {store} answered {detail}", ex);
    }

    private static bool IsNetwork(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is HttpRequestException or SocketException or IOException or TimeoutException or WebException) return true;
        return false;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    /// <summary>Enough of an access key to tell which one was used; access keys are identifiers, not secrets, but a
    /// message need not carry a whole one.</summary>
    public static string Mask(string? accessKey) =>
        string.IsNullOrEmpty(accessKey) ? "(none)" : accessKey.Length <= 6 ? accessKey[..1] + "…" : accessKey[..4] + "…" + accessKey[^2..];
}
