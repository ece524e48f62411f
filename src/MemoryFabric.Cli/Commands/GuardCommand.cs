using System.CommandLine;
using System.Globalization;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Guard;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab guard ...</c>: the memory guard of an agent (its quarantine and lessons) and of the tenant (on
/// or off, relation groups).</summary>
internal static class GuardCommand
{
    private const int TextWidth = 70;

    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("guard", "Review the guard's quarantine and lessons, turn the guard on or off, and manage relation groups.");
        command.Subcommands.Add(CreateQuarantine());
        command.Subcommands.Add(CreateRelease());
        command.Subcommands.Add(CreateConfirm());
        command.Subcommands.Add(CreateLessons());
        command.Subcommands.Add(CreateRevokeLesson());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateSwitch("enable", enabled: true));
        command.Subcommands.Add(CreateSwitch("disable", enabled: false));
        command.Subcommands.Add(CreateGroups());
        command.Subcommands.Add(CreateGroupAdd());
        command.Subcommands.Add(CreateGroupRemove());
        return command;
    }

    private static Command CreateQuarantine()
    {
        var status = new Option<string?>("--status")
        {
            Description = "Only the items in this state.",
            HelpName = "flagged|confirmed|released",
        };
        status.AcceptOnlyFromAmong([.. Enum.GetValues<QuarantineStatus>().Select(s => CommandOutput.Name(s))]);
        var json = CommandOutput.JsonOption("Print the entries as JSON ({\"items\":[...]}).");
        var connection = new ConnectionOptions();
        var command = new Command("quarantine", "List the agent's quarantine: what the guard keeps out of retrieval (and released items), with why.") { status, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var only = parseResult.GetValue(status) is { } s ? Enum.Parse<QuarantineStatus>(s, ignoreCase: true) : (QuarantineStatus?)null;
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var items = await open.Client.GetQuarantineAsync(open.Settings.Agent, only, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { items }).ConfigureAwait(false);
                }
                else if (items.Count == 0)
                {
                    await stderr.WriteLineAsync($"memfab guard: {open.Settings.Agent} has no {(only is { } o ? CommandOutput.Name(o) + " " : string.Empty)}quarantined items").ConfigureAwait(false);
                }
                else
                {
                    await CommandOutput.WriteTableAsync(
                        stdout,
                        ["ITEM", "KIND", "STATUS", "DETECTOR", "DETECTED", "TEXT", "REASON"],
                        items.Select(e => new[]
                        {
                            e.ItemId, CommandOutput.Name(e.Kind), CommandOutput.Name(e.Status), e.Detector, CommandOutput.Time(e.DetectedAt),
                            CommandOutput.Truncate(e.Text, TextWidth), CommandOutput.Truncate(e.Reason, TextWidth),
                        })).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateRelease()
    {
        var item = new Argument<string>("ITEM") { Description = "The quarantined item's id (as `memfab guard quarantine` lists it)." };
        var connection = new ConnectionOptions();
        var command = new Command("release", "Release a quarantined item back into retrieval.") { item };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var itemId = Required(parseResult.GetValue(item), "ITEM");
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                await open.Client.ReleaseAsync(open.Settings.Agent, itemId, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"released: {itemId}").ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateConfirm()
    {
        var item = new Argument<string>("ITEM") { Description = "The item's id: a quarantined item, or any turn, note version or episode." };
        var json = CommandOutput.JsonOption("Print the lesson as JSON.");
        var connection = new ConnectionOptions();
        var command = new Command("confirm", "Confirm an item as poisoned: it stays out for good and the guard learns a lesson from it.") { item, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var itemId = Required(parseResult.GetValue(item), "ITEM");
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var lesson = await open.Client.ConfirmAsync(open.Settings.Agent, itemId, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, lesson)
                    : stdout.WriteLineAsync($"confirmed: {itemId}; lesson {lesson.Id} ({lesson.TriggerSignature.Count} trigger terms: {CommandOutput.Truncate(string.Join(' ', lesson.TriggerSignature), TextWidth)})")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateLessons()
    {
        var json = CommandOutput.JsonOption("Print the lessons as JSON ({\"lessons\":[...]}).");
        var connection = new ConnectionOptions();
        var command = new Command("lessons", "List the lessons the guard learnt from confirmed items (revoked ones included).") { json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var lessons = await open.Client.GetLessonsAsync(open.Settings.Agent, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { lessons }).ConfigureAwait(false);
                }
                else if (lessons.Count == 0)
                {
                    await stderr.WriteLineAsync($"memfab guard: {open.Settings.Agent} has no lessons").ConfigureAwait(false);
                }
                else
                {
                    await CommandOutput.WriteTableAsync(
                        stdout,
                        ["LESSON", "STATE", "CREATED", "SOURCE", "TRIGGER", "REASON"],
                        lessons.Select(l => new[]
                        {
                            l.Id, l.Revoked ? "revoked" : "active", CommandOutput.Time(l.CreatedAt), l.SourceItemId ?? "-",
                            CommandOutput.Truncate(string.Join(' ', l.TriggerSignature), 50), CommandOutput.Truncate(l.Reason, TextWidth),
                        })).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateRevokeLesson()
    {
        var lesson = new Argument<string>("LESSON") { Description = "The lesson's id (l_..., as `memfab guard lessons` lists it)." };
        var connection = new ConnectionOptions();
        var command = new Command("revoke-lesson", "Revoke a lesson: it no longer catches anything (what it quarantined stays quarantined).") { lesson };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var lessonId = Required(parseResult.GetValue(lesson), "LESSON");
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                await open.Client.RevokeLessonAsync(open.Settings.Agent, lessonId, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"revoked: {lessonId}").ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var json = CommandOutput.JsonOption("Print the settings as JSON ({\"enabled\":...,\"groups\":[...]}).");
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command("status", "Show whether the guard runs for the tenant, and its relation groups.") { json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var settings = await open.Client.GetGuardSettingsAsync(ct).ConfigureAwait(false);
                await WriteSettingsAsync(stdout, settings, asJson).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateSwitch(string name, bool enabled)
    {
        var json = CommandOutput.JsonOption("Print the settings as JSON.");
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command(name, enabled
            ? "Turn the guard on for the tenant's agents (each picks it up within 30 s)."
            : "Turn the guard off for the tenant's agents (each picks it up within 30 s; what is quarantined stays quarantined).") { json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var settings = await open.Client.SetGuardEnabledAsync(enabled, ct).ConfigureAwait(false);
                await WriteSettingsAsync(stdout, settings, asJson).ConfigureAwait(false);
                if (!asJson)
                {
                    await stderr.WriteLineAsync("memfab guard: agents pick the change up within 30 s").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateGroups()
    {
        var json = CommandOutput.JsonOption("Print the groups as JSON ({\"groups\":[...]}).");
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command("groups", "List the tenant's relation groups (agents whose trusted memories back each other's).") { json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var groups = await open.Client.GetRelationGroupsAsync(ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new { groups }).ConfigureAwait(false);
                }
                else if (groups.Count == 0)
                {
                    await stderr.WriteLineAsync("memfab guard: the tenant has no relation groups").ConfigureAwait(false);
                }
                else
                {
                    await WriteGroupsAsync(stdout, groups).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateGroupAdd()
    {
        var group = new Argument<string>("GROUP") { Description = "The relation group's name (created when new)." };
        var agent = new Argument<string>("AGENT") { Description = "The agent's name." };
        var json = CommandOutput.JsonOption("Print the group as JSON.");
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command("group-add", "Add an agent to a relation group; it shares its trusted claims with the group at once.") { group, agent, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var groupName = Required(parseResult.GetValue(group), "GROUP");
            var agentName = Required(parseResult.GetValue(agent), "AGENT");
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var result = await open.Client.AddToRelationGroupAsync(groupName, agentName, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, result)
                    : stdout.WriteLineAsync($"{result.Name}: {string.Join(", ", result.Members)}")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateGroupRemove()
    {
        var group = new Argument<string>("GROUP") { Description = "The relation group's name." };
        var agent = new Argument<string>("AGENT") { Description = "The agent's name." };
        var connection = new ConnectionOptions(withAgent: false);
        var command = new Command("group-remove", "Remove an agent from a relation group (an empty group goes away).") { group, agent };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var groupName = Required(parseResult.GetValue(group), "GROUP");
            var agentName = Required(parseResult.GetValue(agent), "AGENT");
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                await open.Client.RemoveFromRelationGroupAsync(groupName, agentName, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"removed: {agentName} from {groupName}").ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static async Task WriteSettingsAsync(TextWriter stdout, TenantGuardSettings settings, bool asJson)
    {
        if (asJson)
        {
            await CommandOutput.WriteJsonAsync(stdout, settings).ConfigureAwait(false);
            return;
        }

        await stdout.WriteLineAsync($"guard: {(settings.Enabled ? "enabled" : "disabled")}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"relation groups: {settings.Groups.Count.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        if (settings.Groups.Count > 0)
        {
            await WriteGroupsAsync(stdout, settings.Groups).ConfigureAwait(false);
        }
    }

    private static Task WriteGroupsAsync(TextWriter stdout, IReadOnlyList<RelationGroup> groups) =>
        CommandOutput.WriteTableAsync(
            stdout,
            ["GROUP", "MEMBERS", "AGENTS"],
            groups.Select(g => new[] { g.Name, g.Members.Count.ToString(CultureInfo.InvariantCulture), string.Join(", ", g.Members) }));

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} is blank") : value.Trim();
}
