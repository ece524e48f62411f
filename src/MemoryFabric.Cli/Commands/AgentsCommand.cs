using System.CommandLine;
using MemoryFabric.Api;
using MemoryFabric.Cli.Connection;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab agents list</c>: the tenant's agents, by name, with their counts, stored size and last
/// write.</summary>
internal static class AgentsCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("agents", "List the tenant's agents.");
        command.Subcommands.Add(CreateList());
        return command;
    }

    private static Command CreateList()
    {
        var prefix = new Option<string?>("--prefix")
        {
            Description = "Only the agents whose name starts with this.",
            HelpName = "text",
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "Agents per page, 1-200 (default: the server's, 50).",
            HelpName = "n",
        };
        var cursor = new Option<string?>("--cursor")
        {
            Description = "Start after the page this cursor ends (the nextCursor of the previous page).",
            HelpName = "cursor",
        };
        var all = new Option<bool>("--all") { Description = "Follow the cursors: every page to the last." };
        var json = CommandOutput.JsonOption("Print the page as JSON ({\"agents\":[...],\"nextCursor\":...}); with --all, every agent and a null nextCursor.");
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command("list", "List the tenant's agents by name, a page at a time (--all: every page), with their turns, episodes, notes, "
            + "quarantined items, stored size and last write.")
        {
            prefix, limit, cursor, all, json,
        };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var namePrefix = parseResult.GetValue(prefix);
            var pageSize = parseResult.GetValue(limit);
            var start = parseResult.GetValue(cursor);
            var everyPage = parseResult.GetValue(all);
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var agents = new List<AgentListItem>();
                var page = await open.Client.ListAgentsAsync(start, pageSize, namePrefix, ct).ConfigureAwait(false);
                agents.AddRange(page.Agents);
                while (everyPage && page.NextCursor is { } next)
                {
                    page = await open.Client.ListAgentsAsync(next, pageSize, namePrefix, ct).ConfigureAwait(false);
                    agents.AddRange(page.Agents);
                }

                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new AgentPage(agents, page.NextCursor)).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                if (agents.Count == 0)
                {
                    var which = string.IsNullOrEmpty(namePrefix) ? string.Empty : $" whose name starts with '{namePrefix}'";
                    await stderr.WriteLineAsync($"memfab agents: no {(start is null ? string.Empty : "more ")}agents{which}").ConfigureAwait(false);
                }
                else
                {
                    await CommandOutput.WriteTableAsync(
                        stdout,
                        ["AGENT", "TURNS", "EPISODES", "NOTES", "QUARANTINED", "SIZE", "LAST WRITE"],
                        agents.Select(a => new[]
                        {
                            a.Agent, CommandOutput.Count(a.Turns), CommandOutput.Count(a.Episodes), CommandOutput.Count(a.Notes),
                            CommandOutput.Count(a.Quarantined), CommandOutput.Bytes(a.DataBytes), a.LastActivity is { } t ? CommandOutput.Time(t) : "-",
                        })).ConfigureAwait(false);
                }

                if (page.NextCursor is { } more)
                {
                    await stderr.WriteLineAsync($"memfab agents: more agents follow: --cursor {more} (or --all)").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }
}
