namespace MemoryFabric.Server.Inspector;

/// <summary>The security headers of every <c>/ui</c> answer. Memory text is attacker-controlled: the page renders it as
/// text only, and the policy forbids what a slip could still run (inline script and style, other origins, framing).</summary>
internal static class InspectorHeaders
{
    /// <summary>The Content-Security-Policy: only this origin's files and API, no inline script or style, no plugins,
    /// no framing by anyone.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Adds the headers.</summary>
    /// <param name="response">The response, not started.</param>
    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate it
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
