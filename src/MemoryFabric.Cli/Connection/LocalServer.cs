using System.Net;
using System.Text;
using MemoryFabric.Client;
using MemoryFabric.Server;
using MemoryFabric.Server.Security;
using MemoryFabric.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Cli.Connection;

/// <summary>The real server run in-process for <c>--local</c>: <see cref="MemoryFabricServer.Build"/> over a data
/// directory, on TestHost (no socket), reached through the client SDK with the tenant key of <c>&lt;data&gt;/local.key</c>
/// (created once with the admin key of <c>&lt;data&gt;/admin.key</c>).</summary>
internal sealed class LocalServer : IAsyncDisposable
{
    /// <summary>The tenant local mode uses.</summary>
    public const string Tenant = "local";

    /// <summary>The file, in the data directory, that caches the tenant key.</summary>
    public const string KeyFileName = "local.key";

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly TextWriter _stderr;
    private readonly DataDirectoryLock _directoryLock;
    private bool _disposed;

    private LocalServer(WebApplication app, HttpClient http, TextWriter stderr, DataDirectoryLock directoryLock, string dataDirectory, IMemoryFabricClient client)
    {
        _app = app;
        _http = http;
        _stderr = stderr;
        _directoryLock = directoryLock;
        DataDirectory = dataDirectory;
        Client = client;
    }

    /// <summary>The full path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The client, with the tenant key.</summary>
    public IMemoryFabricClient Client { get; }

    /// <summary>The path of the cached tenant key of a data directory.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <returns>The path.</returns>
    public static string KeyFilePath(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), KeyFileName);

    /// <summary>Starts the server over a data directory and gets a tenant key (cached, or created).</summary>
    /// <param name="dataDirectory">The data directory (created when missing).</param>
    /// <param name="embedder">auto, minilm, hashing or openai.</param>
    /// <param name="stderr">Where the server's warnings go.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it (which persists state).</returns>
    /// <exception cref="UsageException">The data directory cannot be used (another process holds it, say), or the
    /// embedder is misconfigured.</exception>
    public static async Task<LocalServer> StartAsync(string dataDirectory, string embedder, TextWriter stderr, CancellationToken cancellationToken)
    {
        var data = Path.GetFullPath(dataDirectory);
        DataDirectoryLock directoryLock;
        string adminSecret;
        try
        {
            // One owner per data directory: taken before anything in it is read or created (the store shares it).
            directoryLock = DataDirectoryLock.Acquire(data);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"--data {dataDirectory}: {e.Message}", e);
        }

        try
        {
            adminSecret = ResolveAdminSecret(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            directoryLock.Dispose();
            throw new UsageException($"--data {dataDirectory}: {e.Message}", e);
        }

        string[] args = [$"--MemoryFabric:DataDirectory={data}", $"--MemoryFabric:Embedder={embedder}"];
        WebApplication app;
        try
        {
            app = Build(args, adminSecret, stderr);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }

        HttpClient? http = null;
        try
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--embedder {embedder}: {CleanMessage(e)}", e);
            }

            http = app.GetTestClient();
            http.Timeout = Timeout.InfiniteTimeSpan;
            var key = await GetTenantKeyAsync(http, data, adminSecret, stderr, cancellationToken).ConfigureAwait(false);
            var client = new MemoryFabricClient(http, new MemoryFabricClientOptions { ApiKey = key, Timeout = Timeout.InfiniteTimeSpan });
            return new LocalServer(app, http, stderr, directoryLock, data, client);
        }
        catch
        {
            http?.Dispose();
            await StopAsync(app, stderr).ConfigureAwait(false);
            directoryLock.Dispose();
            throw;
        }
    }

    private static WebApplication Build(string[] args, string adminSecret, TextWriter stderr) =>
        MemoryFabricServer.Build(args, builder =>
        {
            builder.WebHost.UseTestServer();
            // Not on the command line: the admin key stays out of the arguments. The last source wins, so the in-process
            // server always agrees with the key this process read.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MemoryFabric:AdminKey"] = adminSecret,
                ["MemoryFabric:InMemory"] = "false",
            });
            // One user's data on one machine: the tenant index is on (memfab search --all), unless configured off.
            builder.Configuration["MemoryFabric:TenantIndex:Enabled"] ??= "true";
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new ErrorWriterLoggerProvider(stderr));
            // memfab handles Ctrl+C itself (and stops the host in order); the console lifetime would stop it mid-command.
            builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        });

    /// <summary>Stops the server (persisting state) and releases it. A failure to stop is reported on the error writer
    /// given to <see cref="StartAsync"/> and sets <see cref="StopFailed"/>.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _http.Dispose();
        StopFailed = !await StopAsync(_app, _stderr).ConfigureAwait(false);
        _directoryLock.Dispose();
    }

    /// <summary>Whether stopping failed (reported already on the error writer).</summary>
    public bool StopFailed { get; private set; }

    private static async Task<bool> StopAsync(WebApplication app, TextWriter stderr)
    {
        try
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Stopping is best effort: report and go on to dispose.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"memfab: stopping the local server failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return false;
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string ResolveAdminSecret(string data)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(AdminKey.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        // Reads <data>/admin.key, or creates it (mode 0600) as the server would.
        var key = AdminKey.Resolve(null, data);
        return File.ReadAllText(key.FilePath ?? Path.Combine(data, "admin.key")).Trim();
    }

    private static async Task<string> GetTenantKeyAsync(HttpClient http, string data, string adminSecret, TextWriter stderr, CancellationToken cancellationToken)
    {
        var path = Path.Combine(data, KeyFileName);
        if (File.Exists(path))
        {
            var cached = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
            if (cached.Length > 0 && await IsValidAsync(http, cached, cancellationToken).ConfigureAwait(false))
            {
                return cached;
            }

            await stderr.WriteLineAsync($"memfab: {path} holds no valid key for this data directory; creating a new one").ConfigureAwait(false);
        }

        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = adminSecret, Timeout = Timeout.InfiniteTimeSpan });
        try
        {
            await admin.CreateTenantAsync(Tenant, "memfab --local", cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryFabricApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier run.
        }

        // The local user's own key: every tenant scope (purge and guard commands included).
        var created = await admin.CreateApiKeyAsync(Tenant, "memfab-local", trust: null, MemoryFabric.Api.ApiScopes.TenantScopes, cancellationToken).ConfigureAwait(false);
        WriteKeyFile(path, created.Key);
        return created.Key;
    }

    private static async Task<bool> IsValidAsync(HttpClient http, string key, CancellationToken cancellationToken)
    {
        var probe = new MemoryFabricClient(http, new MemoryFabricClientOptions { ApiKey = key, MaxRetries = 0, Timeout = Timeout.InfiniteTimeSpan });
        try
        {
            // Any answer but 401/403 means the key is known: an agent that was never written is simply a 404 (null).
            await probe.GetAgentAsync("memfab.key-check", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MemoryFabricApiException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return false;
        }
    }

    private static void WriteKeyFile(string path, string key)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, new UTF8Encoding(false), options))
        {
            writer.WriteLine(key);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string CleanMessage(ArgumentException e)
    {
        var cut = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? e.Message[..cut] : e.Message;
    }

    /// <summary>A host lifetime that leaves signals alone: the command stops the host.</summary>
    private sealed class CommandHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
