"""Built-in factual tasks of the study: trivia, truthfulqa, disinfo, medqa."""
