using MemoryFabric.Embeddings;
using MemoryFabric.Server.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Hosting;

/// <summary>What a started server tells its operator: where it listens, where the data is, which embedder it uses
/// and how to get or set the admin key.</summary>
public static class StartupBanner
{
    /// <summary>Prints the banner.</summary>
    /// <param name="app">The started application.</param>
    /// <param name="output">Where to write.</param>
    public static void Print(WebApplication app, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(output);
        var options = app.Services.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var embedder = app.Services.GetRequiredService<SelectedEmbedder>();
        var admin = app.Services.GetRequiredService<AdminKey>();
        output.WriteLine($"MemoryFabric listening on {string.Join(", ", addresses)}");
        output.WriteLine(options.InMemory ? "  data:     in memory (nothing is written to disk)" : $"  data:     {Path.GetFullPath(options.DataDirectory)}");
        output.WriteLine($"  embedder: {embedder.Name}");
        if (embedder.Warning is { } warning)
        {
            output.WriteLine($"  warning:  {warning}");
        }

        output.WriteLine(admin switch
        {
            { FilePath: { } file } => $"  admin key: {(admin.Generated ? "generated into" : "read from")} {file} (set {AdminKey.EnvironmentVariable} to choose your own)",
            { EphemeralSecret: { } secret } => $"  admin key: {secret} (this run only; set {AdminKey.EnvironmentVariable} to choose your own)",
            _ => $"  admin key: from {admin.Source}",
        });
        output.WriteLine("  create a tenant and a key: POST /v1/admin/tenants, then POST /v1/admin/tenants/{tenant}/keys (Authorization: Bearer <admin key>)");
        output.WriteLine("  health: /healthz  ready: /readyz  metrics: /metrics  API: /openapi/v1.json");
    }
}
