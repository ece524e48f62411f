using System.CommandLine;
using System.Globalization;
using MemoryFabric.Api;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab search QUERY --agent A</c>: hybrid search over an agent's turns, episodes and notes;
/// <c>memfab search QUERY --all [--agents A,B] [--group G]</c>: dense search over every agent of the tenant
/// (<c>POST /v1/search</c>), each hit naming its agent.</summary>
internal static class SearchCommand
{
    private const int TextWidth = 100;

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var query = new Argument<string>("QUERY") { Description = "What to search for." };
        var limit = new Option<int>("--limit", "-n")
        {
            Description = "The most hits.",
            HelpName = "n",
            DefaultValueFactory = _ => 10,
        };
        var kinds = new Option<string?>("--kinds")
        {
            Description = "Comma-separated kinds of memory to search: note, episode, turn (default: all).",
            HelpName = "list",
        };
        var json = CommandOutput.JsonOption("Print the hits as JSON ({\"hits\":[...]}, as the HTTP API returns them).");
        var all = new Option<bool>("--all", "--tenant-wide")
        {
            Description = "Search every agent of the tenant (the tenant's vector index, POST /v1/search) instead of --agent; each hit names its agent.",
        };
        var agents = new Option<string?>("--agents")
        {
            Description = "With --all: only these agents (comma-separated names).",
            HelpName = "list",
        };
        var group = new Option<string?>("--group")
        {
            Description = "With --all: only the members of this relation group.",
            HelpName = "name",
        };
        var connection = new ConnectionOptions(withAgent: false); // --agent is required unless --all: checked below
        var agent = new Option<string?>("--agent", "-a")
        {
            Description = connection.Agent.Description + " Required unless --all.",
            HelpName = "name",
        };
        var command = new Command("search", "Search an agent's memory (turns, episodes, notes), or with --all every agent of the tenant: hits with rank, kind, score, time and text.")
        {
            query, limit, kinds, json, all, agents, group, agent,
        };
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var text = parseResult.GetValue(query) ?? string.Empty;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new UsageException("QUERY is blank");
            }

            var n = parseResult.GetValue(limit);
            if (n < 1)
            {
                throw new UsageException($"--limit must be at least 1 (got {n})");
            }

            var tenantWide = parseResult.GetValue(all);
            var agentName = parseResult.GetValue(agent);
            var agentList = parseResult.GetValue(agents);
            var groupName = parseResult.GetValue(group);
            if (tenantWide && agentName is not null)
            {
                throw new UsageException("--agent and --all exclude each other (narrow --all with --agents)");
            }

            if (!tenantWide && (agentList is not null || groupName is not null))
            {
                throw new UsageException("--agents and --group need --all");
            }

            if (!tenantWide && agentName is null)
            {
                throw new UsageException("--agent is required (or --all to search every agent of the tenant)");
            }

            if (!tenantWide && string.IsNullOrWhiteSpace(agentName))
            {
                throw new UsageException("--agent: the agent's name is blank");
            }

            var asJson = parseResult.GetValue(json);
            var settings = connection.Read(parseResult);
            if (tenantWide)
            {
                var tenantRequest = new TenantSearchRequest
                {
                    Query = text,
                    Limit = n,
                    Kinds = ParseKinds(parseResult.GetValue(kinds)),
                    Agents = agentList?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    Group = groupName,
                };
                return await DataCommandRunner.RunAsync(settings, stderr, async (open, ct) =>
                {
                    var response = await open.Client.SearchTenantAsync(tenantRequest, ct).ConfigureAwait(false);
                    if (asJson)
                    {
                        await CommandOutput.WriteJsonAsync(stdout, response).ConfigureAwait(false);
                    }
                    else if (response.Hits.Count == 0)
                    {
                        await stderr.WriteLineAsync($"memfab search: no hits for \"{CommandOutput.Truncate(text, 60)}\" in the tenant's agents").ConfigureAwait(false);
                    }
                    else
                    {
                        await WriteTableAsync(stdout, response.Hits).ConfigureAwait(false);
                    }

                    return ExitCodes.Success;
                }, cancellationToken).ConfigureAwait(false);
            }

            settings = settings with { Agent = agentName!.Trim() };
            var request = new SearchRequest { Query = text, Limit = n, Kinds = ParseKinds(parseResult.GetValue(kinds)) };
            return await DataCommandRunner.RunAsync(settings, stderr, async (open, ct) =>
            {
                var hits = await open.Client.SearchAsync(settings.Agent, request, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { hits }).ConfigureAwait(false);
                }
                else if (hits.Count == 0)
                {
                    await stderr.WriteLineAsync($"memfab search: no hits for \"{CommandOutput.Truncate(text, 60)}\" in {settings.Agent}").ConfigureAwait(false);
                }
                else
                {
                    await WriteTableAsync(stdout, hits).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Parses <c>--kinds</c>: note, episode, turn (plurals accepted).</summary>
    /// <param name="value">The option's value.</param>
    /// <returns>The kinds, or <see langword="null"/> for all.</returns>
    internal static List<MemoryItemKind>? ParseKinds(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var kinds = new List<MemoryItemKind>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.EndsWith('s') ? part[..^1] : part;
            if (!Enum.TryParse<MemoryItemKind>(name, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(name, out _))
            {
                throw new UsageException($"--kinds: unknown kind \"{part}\" (note, episode, turn)");
            }

            if (!kinds.Contains(kind))
            {
                kinds.Add(kind);
            }
        }

        return kinds.Count == 0 ? throw new UsageException("--kinds: no kind given (note, episode, turn)") : kinds;
    }

    private static async Task WriteTableAsync(TextWriter stdout, IReadOnlyList<TenantSearchHit> hits)
    {
        var rankWidth = Math.Max(1, hits.Count.ToString(CultureInfo.InvariantCulture).Length);
        var agentWidth = Math.Max(5, hits.Max(h => h.Agent.Length));
        await stdout.WriteLineAsync($"{"#".PadLeft(rankWidth)}  {"agent".PadRight(agentWidth)}  {"kind",-7}  {"score",6}  {"time",-16}  text").ConfigureAwait(false);
        for (var i = 0; i < hits.Count; i++)
        {
            var item = hits[i].Item;
            var rank = (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(rankWidth);
            var score = item.Score.ToString("0.0000", CultureInfo.InvariantCulture);
            await stdout.WriteLineAsync(
                $"{rank}  {hits[i].Agent.PadRight(agentWidth)}  {CommandOutput.Name(item.Kind),-7}  {score,6}  {CommandOutput.Time(item.Timestamp),-16}  {CommandOutput.Truncate(item.Text, TextWidth)}").ConfigureAwait(false);
        }
    }

    private static async Task WriteTableAsync(TextWriter stdout, IReadOnlyList<SearchHit> hits)
    {
        var rankWidth = Math.Max(1, hits.Count.ToString(CultureInfo.InvariantCulture).Length);
        await stdout.WriteLineAsync($"{"#".PadLeft(rankWidth)}  {"kind",-7}  {"score",6}  {"time",-16}  text").ConfigureAwait(false);
        for (var i = 0; i < hits.Count; i++)
        {
            var item = hits[i].Item;
            var rank = (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(rankWidth);
            var score = item.Score.ToString("0.0000", CultureInfo.InvariantCulture);
            await stdout.WriteLineAsync(
                $"{rank}  {CommandOutput.Name(item.Kind),-7}  {score,6}  {CommandOutput.Time(item.Timestamp),-16}  {CommandOutput.Truncate(item.Text, TextWidth)}").ConfigureAwait(false);
        }
    }
}
