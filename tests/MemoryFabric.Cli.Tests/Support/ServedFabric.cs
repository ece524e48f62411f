using System.Net;

namespace MemoryFabric.Cli.Tests.Support;

/// <summary><c>memfab serve</c> run in-process on loopback (hashed embedder) over a data directory, for the tests of
/// the commands that talk to a server: started and ready, with the admin key it generated.</summary>
internal sealed class ServedFabric : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;

    private ServedFabric(string url, CancellationTokenSource stop, Task<CliResult> serve)
    {
        Url = url;
        _stop = stop;
        Serve = serve;
        Http = new HttpClient { BaseAddress = new Uri(url) };
    }

    /// <summary>The server's base address (<c>http://127.0.0.1:port</c>).</summary>
    public string Url { get; }

    /// <summary>A client with <see cref="Url"/> as its base address (disposed with this object).</summary>
    public HttpClient Http { get; }

    /// <summary>The admin key the server generated into the data directory.</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>The running <c>memfab serve</c>.</summary>
    public Task<CliResult> Serve { get; }

    /// <summary>Starts <c>memfab serve</c> on a free port over <paramref name="dataDirectory"/> and waits (up to two
    /// minutes) until <c>/readyz</c> answers 200 and the admin key is written; fails the test when serve exits first.</summary>
    /// <param name="dataDirectory">The data directory.</param>
    /// <param name="lifetime">When serve is stopped at the latest.</param>
    /// <returns>The ready server.</returns>
    public static async Task<ServedFabric> StartAsync(string dataDirectory, TimeSpan lifetime)
    {
        var url = $"http://127.0.0.1:{Memfab.FreePort()}";
        var stop = new CancellationTokenSource(lifetime);
        var serve = Task.Run(() => Memfab.RunAsync(stop.Token, "serve", "--urls", url, "--data", dataDirectory, "--embedder", "hashing"));
        var served = new ServedFabric(url, stop, serve);
        await served.WaitUntilReadyAsync();
        served.AdminKey = await ReadAdminKeyAsync(Path.Combine(dataDirectory, "admin.key"));
        return served;
    }

    /// <summary>Stops serve (as Ctrl+C does) and returns what it printed.</summary>
    /// <returns>Its result.</returns>
    public async Task<CliResult> StopAsync()
    {
        await _stop.CancelAsync();
        return await Serve;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!Serve.IsCompleted)
        {
            await _stop.CancelAsync();
            await Serve;
        }

        _stop.Dispose();
        Http.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (Serve.IsCompleted)
            {
                Assert.Fail("serve exited early: " + await Serve);
            }

            try
            {
                using var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail("serve did not become ready");
    }

    // Generated on first use, which may come just after /readyz answers: waits up to five seconds for the file.
    private static async Task<string> ReadAdminKeyAsync(string path)
    {
        for (var i = 0; i < 100 && !File.Exists(path); i++)
        {
            await Task.Delay(50);
        }

        return (await File.ReadAllTextAsync(path)).Trim();
    }
}
