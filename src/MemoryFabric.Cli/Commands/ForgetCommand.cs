using System.CommandLine;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Conversation;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab forget --turn ID...</c>: forgets turns for good (their episodes redacted, the notes drawn only
/// from them removed, their text purged from storage).</summary>
internal static class ForgetCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var turns = new Option<string[]>("--turn")
        {
            Description = $"A turn id to forget (repeat it, or give several, up to {TurnForgetResult.MaxTurnIds}).",
            AllowMultipleArgumentsPerToken = true,
            Required = true,
        };
        var json = CommandOutput.JsonOption("Print what was removed as JSON.");
        var connection = new ConnectionOptions();
        var command = new Command("forget", "Forget turns for good: removed with their index entries, redacted from their episodes, the notes drawn only from them removed, and their text purged from storage. Needs the 'forget' scope.")
        {
            turns, json,
        };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var ids = parseResult.GetValue(turns) ?? [];
            var asJson = parseResult.GetValue(json);
            return DataCommandRunner.RunAsync(parseResult, connection, async (open, stdout, stderr, ct) =>
            {
                var result = await open.Client.ForgetTurnsAsync(open.Settings.Agent, ids, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, result).ConfigureAwait(false);
                }
                else
                {
                    foreach (var id in result.ForgottenTurnIds)
                    {
                        await stdout.WriteLineAsync($"forgotten: {id}").ConfigureAwait(false);
                    }

                    await stdout.WriteLineAsync(
                        $"notes removed: {result.PurgedNoteIds.Count}, notes redacted: {result.RedactedNoteIds.Count}, "
                        + $"episodes rebuilt: {result.RebuiltEpisodeIds.Count}, episodes removed: {result.RemovedEpisodeIds.Count}").ConfigureAwait(false);
                }

                foreach (var id in result.UnknownTurnIds)
                {
                    await stderr.WriteLineAsync($"memfab forget: no turn '{id}' in agent '{open.Settings.Agent}'").ConfigureAwait(false);
                }

                return result.ForgottenTurnIds.Count == 0 ? ExitCodes.Failure : ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }
}
