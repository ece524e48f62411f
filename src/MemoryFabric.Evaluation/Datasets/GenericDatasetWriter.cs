using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MemoryFabric.Evaluation.Datasets;

/// <summary>
/// Writes a dataset in the generic conversation format that <see cref="DatasetReader"/> reads back (see
/// <c>docs/datasets.md</c>): indented, <c>\n</c> line ends, dates as ISO 8601 UTC, the same bytes for the same
/// dataset on every platform.
/// </summary>
public static class GenericDatasetWriter
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the dataset to a stream (UTF-8, no byte-order mark).</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="stream">The stream.</param>
    public static void Write(ConversationDataset dataset, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("name", dataset.Name);
        writer.WriteStartArray("conversations");
        foreach (var conversation in dataset.Conversations)
        {
            WriteConversation(writer, conversation);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The dataset as JSON text.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <returns>The text.</returns>
    public static string ToJson(ConversationDataset dataset)
    {
        using var stream = new MemoryStream();
        Write(dataset, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteConversation(Utf8JsonWriter writer, DatasetConversation conversation)
    {
        writer.WriteStartObject();
        writer.WriteString("id", conversation.Id);
        writer.WriteStartArray("sessions");
        foreach (var session in conversation.Sessions)
        {
            writer.WriteStartObject();
            writer.WriteString("id", session.Id);
            writer.WriteString("date", Date(session.Date));
            writer.WriteStartArray("turns");
            foreach (var turn in session.Turns)
            {
                writer.WriteStartObject();
                writer.WriteString("id", turn.Id);
                writer.WriteString("speaker", turn.Speaker);
                writer.WriteString("text", turn.Text);
                if (turn.Role == Conversation.TurnRole.Assistant)
                {
                    writer.WriteString("role", GenericDatasetReader.AssistantRole); // user, the default, is not written
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("questions");
        foreach (var question in conversation.Questions)
        {
            writer.WriteStartObject();
            writer.WriteString("id", question.Id);
            writer.WriteString("question", question.Question);
            if (question.Date is { } date)
            {
                writer.WriteString("date", Date(date));
            }

            WriteList(writer, "answers", question.Answers);
            WriteList(writer, "evidence", question.Evidence);
            WriteList(writer, "evidence_text", question.EvidenceText);
            writer.WriteString("category", question.Category);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string Date(DateTimeOffset date) =>
        date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
