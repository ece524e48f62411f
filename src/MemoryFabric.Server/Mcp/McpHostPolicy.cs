using System.Net;

namespace MemoryFabric.Server.Mcp;

/// <summary>Which <c>Host</c> and <c>Origin</c> headers <c>/mcp</c> accepts (DNS rebinding protection): a web page
/// that rebinds its own name to this machine sends that name as <c>Host</c> (and its origin as <c>Origin</c>), so a
/// server that answers only the names it is reached by cannot be driven by such a page.</summary>
/// <param name="allowedHosts">The configured names (<see cref="McpEndpointOptions.AllowedHosts"/>).</param>
/// <param name="loopbackOnly">Whether the server listens on loopback addresses only.</param>
internal sealed class McpHostPolicy(IReadOnlyList<string> allowedHosts, bool loopbackOnly)
{
    /// <summary>Why a request is refused, or <see langword="null"/> when it may go on.</summary>
    /// <param name="host">The <c>Host</c> header's host name (no port), or empty.</param>
    /// <param name="origin">The <c>Origin</c> header, or empty.</param>
    /// <returns>The reason, for the 403's detail.</returns>
    public string? Refusal(string host, string origin)
    {
        var name = Normalize(host);
        if (name.Length == 0)
        {
            return "The request has no Host header; /mcp needs one (DNS rebinding protection).";
        }

        if (!HostAllowed(name))
        {
            return $"Host '{Shorten(name)}' is not allowed on /mcp (DNS rebinding protection): {Rule()}";
        }

        if (origin.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"Origin '{Shorten(origin)}' is not allowed on /mcp (DNS rebinding protection): an origin is an http(s) URL of an allowed host.";
        }

        var originHost = Normalize(uri.Host);
        return HostAllowed(originHost) && (allowedHosts.Count > 0 || loopbackOnly || IsLoopback(originHost) || originHost == name)
            ? null
            : $"Origin '{Shorten(origin)}' is not allowed on /mcp (DNS rebinding protection): {Rule()}";
    }

    /// <summary>Whether a host name is a loopback name: localhost, 127.0.0.0/8 or ::1.</summary>
    /// <param name="host">The host name, without port (IPv6 with or without brackets).</param>
    /// <returns>Whether it is loopback.</returns>
    public static bool IsLoopback(string host)
    {
        var name = Normalize(host);
        return name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Whether the server's listening addresses are all loopback (no address: an in-process server, which
    /// only this process reaches).</summary>
    /// <param name="addresses">The addresses, e.g. <c>http://127.0.0.1:5080</c>.</param>
    /// <returns>Whether every one is loopback.</returns>
    public static bool AllLoopback(IEnumerable<string> addresses) => addresses.All(a => IsLoopback(AddressHost(a)));

    private bool HostAllowed(string name) =>
        IsLoopback(name) || (allowedHosts.Count == 0 ? !loopbackOnly : allowedHosts.Any(a => Matches(a, name)));

    private string Rule() => allowedHosts.Count > 0
        ? $"the allowed hosts are loopback names and {string.Join(", ", allowedHosts)} (MemoryFabric:Mcp:AllowedHosts)."
        : loopbackOnly
            ? "this server listens on loopback only, so it answers localhost, 127.0.0.1 and [::1] only; set MemoryFabric:Mcp:AllowedHosts to serve other names."
            : "a browser origin must be this server's own host or loopback; set MemoryFabric:Mcp:AllowedHosts to allow others.";

    private static bool Matches(string allowed, string name)
    {
        var entry = Normalize(allowed);
        return entry == "*"
            || entry == name
            || (entry.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(entry[1..], StringComparison.Ordinal));
    }

    private static string AddressHost(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? address : address[(start + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        rest = slash < 0 ? rest : rest[..slash];
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            return close < 0 ? rest : rest[..(close + 1)];
        }

        var colon = rest.LastIndexOf(':');
        return colon < 0 ? rest : rest[..colon];
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').Trim('[', ']').ToLowerInvariant();

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
