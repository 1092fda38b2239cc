import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { Task } from '../core/tasks/task.ts';
import { tasks } from '../services/tasks.ts';

/** The satellite family names a task by `{id}` alone (IdDto); task ids are unique per client. */
export const IdBody = z.object({ id: z.string({ error: 'id is required' }).check(z.minLength(1, 'id is required')) });

export const taskById = (client: Client, body: z.infer<typeof IdBody>): Promise<Task> => tasks.require(client, body.id);
