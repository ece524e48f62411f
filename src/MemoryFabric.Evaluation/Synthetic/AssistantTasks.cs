using System.Text;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>Builds the tasks of assistant-style sessions: recipes, trip itineraries, code explanations, training plans,
/// gift lists and budgets, each with specifics a user may ask about later.</summary>
internal static class AssistantTasks
{
    /// <summary>Creates a task whose topic is not in <paramref name="usedTopics"/> (and adds it, with the names the
    /// answer introduces), so that a question about an answer names exactly one answer of the conversation.</summary>
    public static AssistantTask Create(SeededRandom random, int kind, ISet<string> usedTopics)
    {
        for (var attempt = 0; ; attempt++)
        {
            var task = ((kind + (attempt / 4)) % 6) switch
            {
                0 => Recipe(random),
                1 => Itinerary(random),
                2 => Code(random),
                3 => Workout(random),
                4 => Gifts(random),
                _ => Budget(random),
            };
            var names = Names(task);
            if (!usedTopics.Contains(task.Topic) && !names.Any(usedTopics.Contains))
            {
                usedTopics.Add(task.Topic);
                usedTopics.UnionWith(names);
                return task;
            }

            if (attempt > 200)
            {
                throw new InvalidOperationException("Ran out of distinct assistant tasks; generate fewer sessions.");
            }
        }
    }

    // Identifiers a recall question names besides the topic (function names), which must be unique too.
    private static List<string> Names(AssistantTask task) =>
        task.Recall.SelectMany(r => r.Question.Split(' ')).Where(w => w.Contains('_', StringComparison.Ordinal)).Select(w => "fn:" + w.Trim('?', '.', ',')).ToList();

    private static AssistantTask Recipe(SeededRandom random)
    {
        var (dish, ingredients) = random.Pick(Vocabulary.Dishes);
        var steps = new List<string>();
        var templates = random.Sample(Vocabulary.RecipeSteps, random.Next(5, 8));
        foreach (var template in templates)
        {
            var pair = random.Sample(ingredients, 2);
            steps.Add(Templates.Fill(template, ("a", pair[0]), ("b", pair[1]), ("t", Templates.Number(random.Next(2, 21)))));
        }

        var serves = random.Next(2, 7);
        var answer = new StringBuilder();
        answer.Append(random.Choose(
            $"Happy to help! Here's a {dish} that serves {serves} and doesn't need any special equipment.",
            $"Great choice. This {dish} is forgiving, and it scales well for {serves} people.",
            $"Here's my go-to {dish} for {serves}; I've kept the steps short so nothing happens at once."));
        answer.Append(" Ingredients: ").Append(string.Join(", ", ingredients)).Append(", plus salt, pepper and a neutral oil. ");
        for (var i = 0; i < steps.Count; i++)
        {
            answer.Append("Step ").Append(i + 1).Append(": ").Append(Templates.Sentence(steps[i])).Append(' ');
        }

        answer.Append(random.Choose(
            "If you want to prepare ahead, everything up to the last step keeps in the fridge for a day.",
            "Taste as you go and adjust the seasoning at the end rather than the start.",
            "Leftovers freeze well for up to a month in airtight containers."));

        var recall = new List<(string, string)>();
        for (var i = 0; i < Math.Min(steps.Count, 4); i++)
        {
            var ordinal = Vocabulary.Ordinals[i];
            var question = random.Choose(
                $"What was the {ordinal} step of the {dish} recipe you gave me?",
                $"In your {dish} instructions, what did you tell me to do {(i == 0 ? "first" : $"in step {i + 1}")}?",
                $"Remind me of step {i + 1} in the {dish} method you wrote out for me.",
                $"I'm cooking the {dish} again: what came {ordinal} in your steps?");
            recall.Add((question, steps[i]));
        }

        var ing = random.Sample(ingredients, 2);
        return new AssistantTask(
            dish,
            random.Choose(
                $"Could you give me a recipe for {dish}?",
                $"I want to try making {dish} this week and need a recipe I can't mess up.",
                $"Can you walk me through how to cook {dish}, step by step?",
                $"I'm hosting dinner and thinking of {dish}. How do I make it?"),
            random.Choose("Please number the steps.", "Keep the steps numbered so I can follow along on my phone.", "Thanks in advance!", "Any tips welcome."),
            [
                $"I'm cooking for {serves} people on {random.Pick(Vocabulary.Weekdays)}, and one of them is a very picky eater.",
                $"Last time I tried something like this the {ing[0]} burned and the whole place smelled for days.",
                "I have one big pot, a small oven that runs hot and not much counter space.",
                $"A friend swears by adding extra {ing[1]}, but I'm not convinced.",
                $"I'd rather not buy a whole jar of {ing[0]} just for one dish if I can help it.",
                $"I get home around {random.Next(5, 8)} and people arrive at {random.Next(7, 9)}, so timing matters.",
                "I'd also like leftovers for lunch the next two days.",
                "Please keep it simple: I'm not a confident cook and I panic when three things happen at once.",
                $"The shop near me only had {ing[0]} and {ing[1]} in stock this week, so I'm working around that.",
            ],
            answer.ToString(),
            recall,
            random.Chance(0.5) ? ($"Can I make the {dish} a day ahead?", $"Yes. Stop before the last step, chill it overnight, and finish it just before serving; it often tastes better the next day.") : null);
    }

    private static AssistantTask Itinerary(SeededRandom random)
    {
        var city = random.Pick(Vocabulary.Cities);
        var days = random.Next(3, 5);
        var attractions = random.Sample(Vocabulary.Attractions, days * 2);
        var cuisines = random.Sample(Vocabulary.Cuisines, days);
        var restaurants = Enumerable.Range(0, days).Select(_ => $"{random.Pick(Vocabulary.BrandHeads)} {random.Choose("Kitchen", "Table", "Canteen", "House", "Grill", "Bistro")}").ToList();
        var answer = new StringBuilder();
        answer.Append(random.Choose(
            $"Here's a {days}-day plan for {city} that mixes the big sights with slower afternoons.",
            $"{city} is lovely for a short trip. This {days}-day itinerary keeps the walking reasonable.",
            $"Here's how I'd spend {days} days in {city}, with one anchor per morning and free evenings.")).Append(' ');
        var recall = new List<(string, string)>();
        for (var d = 0; d < days; d++)
        {
            answer.Append($"Day {d + 1}: morning at the {attractions[2 * d]}, lunch at {restaurants[d]}, a {cuisines[d]} place nearby, then the {attractions[2 * d + 1]} in the late afternoon. ");
            if (d < 3)
            {
                recall.Add((random.Choose(
                    $"For my {city} trip, where did you suggest I spend the morning of day {d + 1}?",
                    $"What was the first stop on day {d + 1} of the {city} itinerary you made me?",
                    $"In the {city} plan you wrote, which sight starts day {d + 1}?"), attractions[2 * d]));
                recall.Add((random.Choose(
                    $"Which {cuisines[d]} restaurant did you recommend for lunch in {city}?",
                    $"What was the name of the {cuisines[d]} lunch spot in your {city} itinerary?"), restaurants[d]));
            }
        }

        answer.Append(random.Choose(
            "Buy a transit day pass on arrival; it pays for itself by the second ride.",
            "Book the popular sights online a few days ahead, queues get long at weekends.",
            "Keep one evening free: the old town is at its best after dark."));
        return new AssistantTask(
            city,
            random.Choose(
                $"Can you plan a {days}-day trip to {city} for me?",
                $"I'm going to {city} for {days} days soon. What should I see and where should I eat?",
                $"Help me put together an itinerary for {city}, {days} days, nothing too rushed."),
            random.Choose("Day by day would be ideal.", "Please split it by day.", "Thanks!"),
            [
                "I don't love museums that take a whole day, but a good small gallery is fine.",
                "I'll be walking a lot, so places close to each other are better.",
                $"My budget is around {random.Next(60, 200)} a day, not counting the hotel.",
                "I like trying local food, the less touristy the better.",
                "I'm not great with early mornings on holiday.",
                $"A colleague went to {random.Pick(Vocabulary.Cities)} last year and loved the food markets, so that's the vibe I want.",
                "I get seasick, so no long boat trips please.",
            ],
            answer.ToString(),
            recall,
            random.Chance(0.4) ? ($"Is {city} walkable from the station?", "Mostly yes; the centre is compact, and trams cover the longer hops.") : null);
    }

    private static AssistantTask Code(SeededRandom random)
    {
        var language = random.Pick(Vocabulary.Languages);
        var task = random.Pick(Vocabulary.CodeTasks);
        var count = random.Next(3, 6);
        var functions = new List<string>();
        while (functions.Count < count)
        {
            var name = $"{random.Pick(Vocabulary.CodeVerbs)}_{random.Pick(Vocabulary.CodeNouns)}";
            if (!functions.Contains(name))
            {
                functions.Add(name);
            }
        }

        var explanations = random.Sample(Vocabulary.CodeExplanations, count).Select(e => Templates.Fill(e, ("x", random.Pick(Vocabulary.CodeNouns)))).ToList();
        var answer = new StringBuilder();
        answer.Append($"Here's a small {language} script to {task}. It's split into {count} functions so you can test each part. ");
        for (var i = 0; i < count; i++)
        {
            answer.Append($"The function {functions[i]} {explanations[i]}. ");
        }

        answer.Append(random.Choose(
            "Run it once on a copy of your data first; if the output looks right, point it at the real folder.",
            "I left comments at the top of each function; the only thing you need to change is the input path.",
            "If anything fails, the error message names the line and the file, which makes debugging quicker."));
        var recall = new List<(string, string)>();
        foreach (var i in random.Sample(Enumerable.Range(0, count).ToList(), 2))
        {
            recall.Add((random.Choose(
                $"In the {language} script you wrote to {task}, what does {functions[i]} do?",
                $"What did you say the {functions[i]} function is for in my {language} code?",
                $"Remind me what {functions[i]} was doing in that script of yours."), explanations[i]));
        }

        return new AssistantTask(
            task,
            random.Choose(
                $"I need a {language} script to {task}. Can you write one and explain how it works?",
                $"Could you help me {task} with {language}? Please explain each part, I'm still learning."),
            random.Choose("Explain it like I'm new to this.", "Short explanations are fine.", "Thanks, you're a lifesaver."),
            [
                "I've done a beginner course but I still get lost in other people's code.",
                $"My laptop is old and slow, so nothing that needs a lot of memory.",
                "A friend wrote something similar in a spreadsheet macro, but it broke every month.",
                $"There are about {random.Next(2, 40)} thousand rows, if that matters.",
                "I'd like to run it by hand for now and maybe schedule it later.",
                "Please don't use any libraries I'd have to install, if possible.",
            ],
            answer.ToString(),
            recall,
            random.Chance(0.4) ? ("What happens if the input file is empty?", "It prints a short message and exits without writing anything.") : null);
    }

    private static AssistantTask Workout(SeededRandom random)
    {
        var days = random.Sample(Vocabulary.Weekdays, 3).OrderBy(d => Vocabulary.Weekdays.ToList().IndexOf(d)).ToList();
        var goal = random.Choose("get stronger for hiking", "build up to a 10k", "fix my posture", "get back in shape after an injury", "feel less stiff at my desk");
        var answer = new StringBuilder($"Here's a three-day plan to {goal}. Warm up for ten minutes before each session. ");
        var recall = new List<(string, string)>();
        foreach (var day in days)
        {
            var moves = random.Sample(Vocabulary.Exercises, 2);
            answer.Append($"{day}: {random.Next(3, 5)} sets of {random.Next(8, 13)} {moves[0]}, then {random.Next(2, 4)} rounds of {moves[1]}. ");
            recall.Add((random.Choose(
                $"What did you put on {day} in the training plan to {goal}?",
                $"Which exercises were on {day} in the workout you made me?",
                $"In my three-day plan, what do I do on {day}s?"), $"{moves[0]} and {moves[1]}"));
        }

        answer.Append("Increase the weight a little every second week, and take a full rest day after any session that leaves you sore.");
        return new AssistantTask(
            goal,
            random.Choose( $"Can you make me a simple workout plan? I want to {goal}.", $"I'd like a three-day training plan to {goal}."),
            random.Choose("Nothing that needs a full gym.", "I have dumbbells and a kettlebell at home.", "Thanks!"),
            [
                "I sit at a desk all day and my lower back complains by Thursday.",
                "I tried a fancy app last year and gave up after two weeks.",
                $"My knees are fine but my left shoulder clicks when I lift overhead.",
                "I can do three sessions a week, forty minutes each at most.",
                "I'd like to see progress within a couple of months.",
            ],
            answer.ToString(),
            recall,
            null);
    }

    private static AssistantTask Gifts(SeededRandom random)
    {
        var person = random.Choose("my dad", "my best friend", "my partner", "my manager", "my neighbour", "my godson");
        var occasion = random.Choose("birthday", "retirement", "anniversary", "graduation", "housewarming");
        var ideas = random.Sample(Vocabulary.Gifts, 5);
        var answer = new StringBuilder($"Here are five ideas for {person}'s {occasion}, from cheapest to priciest. ");
        for (var i = 0; i < ideas.Count; i++)
        {
            answer.Append($"{i + 1}. {Templates.Capitalize(ideas[i])}. ");
        }

        answer.Append("Whatever you pick, a handwritten card makes it feel personal.");
        var recall = new List<(string, string)>();
        foreach (var i in random.Sample(Enumerable.Range(0, 5).ToList(), 2))
        {
            recall.Add((random.Choose(
                $"What was the {Vocabulary.Ordinals[i]} gift idea you gave me for {person}'s {occasion}?",
                $"Of the presents you listed for {person}'s {occasion}, which one was number {i + 1}?"), ideas[i]));
        }

        return new AssistantTask(
            $"{person}'s {occasion}",
            random.Choose( $"I need gift ideas for {person}'s {occasion}.", $"What should I get {person} for their {occasion}?"),
            random.Choose("A numbered list would help.", "Five ideas is plenty.", "Go!"),
            [
                "They say they don't want anything, which is never true.",
                $"I'd like to stay under {random.Next(30, 150)}, but I can stretch for the right thing.",
                "Last year I gave socks and I'm still ashamed.",
                "They like cooking and being outdoors, and they hate clutter.",
            ],
            answer.ToString(),
            recall,
            null);
    }

    private static AssistantTask Budget(SeededRandom random)
    {
        var income = random.Next(22, 60) * 100;
        var lines = random.Sample(Vocabulary.BudgetLines, 6);
        var amounts = lines.Select(_ => random.Next(4, 90) * 10).ToList();
        var answer = new StringBuilder($"Here's a monthly budget for a take-home pay of {income}. ");
        for (var i = 0; i < lines.Count; i++)
        {
            answer.Append($"{Templates.Capitalize(lines[i])}: {amounts[i]}. ");
        }

        answer.Append("Whatever is left at the end of the month goes straight into savings before you can spend it.");
        var recall = new List<(string, string)>();
        foreach (var i in random.Sample(Enumerable.Range(0, lines.Count).ToList(), 2))
        {
            recall.Add((random.Choose(
                $"On my take-home of {income}, how much did you tell me to set aside for {lines[i]} each month?",
                $"In the budget you drew up for my {income} take-home pay, what was the amount for {lines[i]}?"), Templates.Number(amounts[i])));
        }

        return new AssistantTask(
            $"budget of {income}",
            random.Choose( $"Can you help me build a monthly budget? I take home {income}.", $"I keep running out of money before payday. My take-home is {income}; can you draft a budget?"),
            random.Choose("A simple list per category is fine.", "Be honest, I can take it."),
            [
                "I don't track anything right now, which is probably the problem.",
                "Takeaways are my weakness, especially on Fridays.",
                "I'd like to save for a trip next year.",
                "My phone contract ends soon, so that might drop.",
            ],
            answer.ToString(),
            recall,
            null);
    }
}
