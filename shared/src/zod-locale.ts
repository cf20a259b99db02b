/** zod/mini ships no error messages: the English ones, as the full zod API sets them, for every schema. */
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';

z.config(en());
