// GitHub's own workflow parser and expression evaluator (the ones its runner and editor tooling use), for the harness.
// ESM only, so they run here, in a child process: `validate <file>` and `evaluate` (a JSON request on stdin).
import { readFileSync } from 'node:fs';
import { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';

const CONTEXTS = ['github', 'env', 'vars', 'secrets', 'matrix', 'strategy', 'steps', 'job', 'jobs', 'runner', 'needs', 'inputs'];
const STATUS = ['success', 'always', 'failure', 'cancelled'];

async function validate(file) {
  const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of template.errors ?? []) errors.push(error.Message ?? String(error));
  }
  return { errors };
}

/** Each expression (the text inside ${{ }}) against the request's contexts; the status functions from `status`. */
function evaluate({ expressions, context, status }) {
  const contexts = JSON.parse(JSON.stringify(context), data.reviver);
  const functions = new Map(
    STATUS.map((name) => [
      name,
      {
        name,
        minArgs: 0,
        maxArgs: 0,
        call: () =>
          new data.BooleanData(name === 'always' ? true : name === 'success' ? status === 'success' : name === 'failure' ? status === 'failure' : false),
      },
    ]),
  );
  return expressions.map((expression) => {
    try {
      const lexed = new Lexer(expression).lex();
      const tree = new Parser(
        lexed.tokens,
        CONTEXTS,
        STATUS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
      ).parse();
      const value = new Evaluator(tree, contexts, functions).evaluate();
      return {
        value: JSON.parse(JSON.stringify(value, data.replacer)),
        truthy: truthy(value),
        text: value.coerceString?.() ?? JSON.stringify(JSON.parse(JSON.stringify(value, data.replacer))),
      };
    } catch (error) {
      return { error: `${expression}: ${error.message}` };
    }
  });
}

const [command, file] = process.argv.slice(2);
if (command === 'validate') {
  process.stdout.write(JSON.stringify(await validate(file)));
} else if (command === 'evaluate') {
  process.stdout.write(JSON.stringify(evaluate(JSON.parse(readFileSync(0, 'utf8')))));
} else {
  process.stderr.write('usage: github-actions.mjs validate <workflow.yml> | evaluate < request.json\n');
  process.exit(2);
}
