using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Tests.Support;

/// <summary>A small hand-made conversation for strategy tests.</summary>
internal static class TinyConversation
{
    public static DateTimeOffset Day1 { get; } = new(2023, 5, 8, 13, 56, 0, TimeSpan.Zero);

    public static DateTimeOffset Day2 { get; } = new(2023, 5, 25, 13, 14, 0, TimeSpan.Zero);

    public static DatasetConversation Create() => new(
        "tiny",
        [
            new DatasetSession("session_1", Day1,
            [
                new DatasetTurn("D1:1", "Caroline", "Hey Mel! Good to see you! How have you been?"),
                new DatasetTurn("D1:2", "Melanie", "Swamped with the kids and work. What is new with you?"),
                new DatasetTurn("D1:3", "Caroline", "I went to an LGBTQ support group yesterday and it was so powerful."),
                new DatasetTurn("D1:4", "Melanie", "That sounds wonderful. I painted a lake sunrise last year."),
            ]),
            new DatasetSession("session_2", Day2,
            [
                new DatasetTurn("D2:1", "Melanie", "I signed up for a pottery class, I love working with clay."),
                new DatasetTurn("D2:2", "Caroline", "I am researching adoption agencies, I want to give a kid a loving home."),
                new DatasetTurn("D2:3", "Melanie", "Running has been great for my mental health lately."),
            ]),
        ],
        [
            new DatasetQuestion("tiny_qa0", "When did Caroline go to the LGBTQ support group?", null, ["7 May 2023"], ["D1:3"], [], "2"),
            new DatasetQuestion("tiny_qa1", "What class did Melanie sign up for?", null, ["pottery"], ["D2:1"], [], "4"),
        ]);
}
