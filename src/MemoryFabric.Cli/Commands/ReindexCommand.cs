using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Client;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab admin reindex --tenant T</c>: rebuilds a tenant's vector shards on a running server
/// (<c>POST /v1/admin/tenants/{tenant}/reindex</c>, admin key) while it keeps answering, with a live progress display
/// (agents done / total, vectors shipped) on a terminal and one summary line on standard output.</summary>
internal static class ReindexCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var tenant = new Option<string>("--tenant", "-t") { Description = "The tenant whose index to rebuild.", HelpName = "id", Required = true };
        var quiet = ProgressDisplay.QuietOption();
        var connection = new AdminConnectionOptions();
        var command = new Command("reindex", "Rebuild a tenant's vector index (the shards behind POST /v1/search) from its agents' memories: the shards "
            + "are cleared, then every agent ships all its vectors again. The server keeps answering; a tenant-wide search meanwhile may miss "
            + "agents not yet shipped. Needs the admin key.")
        {
            tenant, quiet,
        };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var tenantId = parseResult.GetValue(tenant)?.Trim();
            if (string.IsNullOrEmpty(tenantId))
            {
                throw new UsageException("--tenant: the tenant id is blank");
            }

            var (endpoint, key) = connection.Read(parseResult);
            var silent = parseResult.GetValue(quiet);
            return AdminCommandRunner.RunAsync(parseResult, connection, async (_, stdout, stderr, ct) =>
            {
                var started = TimeProvider.System.GetTimestamp();
                var final = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, silent), ProgressStyle.Bars, async display =>
                {
                    ProgressItem? agents = null; // the bar starts with the first line, which tells the number of agents
                    return await ReindexAsync(endpoint, key, tenantId, line =>
                    {
                        agents ??= display.Start($"reindexing tenant {tenantId}", line.AgentsTotal);
                        agents.Report(line.AgentsDone);
                        agents.Describe($"reindexing tenant {tenantId}: {line.AgentsDone}/{line.AgentsTotal} agents, {CommandOutput.Count(line.ItemsShipped)} vectors shipped");
                    }, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                await stdout.WriteLineAsync(
                    $"reindexed tenant {final.Tenant}: {final.AgentsDone}/{final.AgentsTotal} agents, {CommandOutput.Count(final.ItemsShipped)} vectors shipped in "
                    + seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " s").ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>Calls the rebuild and reads its progress lines.</summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="key">The admin key.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="progress">Told each line.</param>
    /// <param name="cancellationToken">Stops waiting (the server finishes the rebuild).</param>
    /// <returns>The last line.</returns>
    /// <exception cref="MemoryFabricApiException">The server refused (unknown tenant, index off, bad key).</exception>
    internal static async Task<ReindexLine> ReindexAsync(Uri endpoint, string key, string tenant, Action<ReindexLine> progress, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
        var path = "v1/admin/tenants/" + Uri.EscapeDataString(tenant) + "/reindex";
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new MemoryFabricApiException(response.StatusCode, Problem(body, response), body, method: "POST", path: "/" + path);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        ReindexLine? last = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            last = JsonSerializer.Deserialize<ReindexLine>(text, Serialization.MemoryFabricJson.Options) ?? throw new JsonException("An empty progress line.");
            progress(last);
        }

        return last is { Done: true }
            ? last
            : throw new IOException("The server stopped answering before the rebuild was finished; it goes on by itself (run the command again to be sure).");
    }

    private static MemoryFabricProblem Problem(string body, HttpResponseMessage response)
    {
        try
        {
            if (JsonSerializer.Deserialize<MemoryFabricProblem>(body, Serialization.MemoryFabricJson.Options) is { } problem)
            {
                return problem with { Status = problem.Status ?? (int)response.StatusCode };
            }
        }
        catch (JsonException)
        {
            // Not problem+json: described by its status below.
        }

        return new MemoryFabricProblem { Status = (int)response.StatusCode, Title = response.ReasonPhrase, Detail = string.IsNullOrWhiteSpace(body) ? null : body };
    }
}

/// <summary>One progress line of <c>POST /v1/admin/tenants/{tenant}/reindex</c>.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="AgentsDone">Agents that shipped all their items again.</param>
/// <param name="AgentsTotal">The tenant's agents.</param>
/// <param name="ItemsShipped">Vectors shipped so far.</param>
/// <param name="Done">Whether the rebuild is finished.</param>
internal sealed record ReindexLine(string Tenant, int AgentsDone, int AgentsTotal, long ItemsShipped, bool Done);
