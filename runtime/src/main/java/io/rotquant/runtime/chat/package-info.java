/**
 * Chat on a compiled model: the checkpoint's chat template (the subset of Jinja that chat templates
 * use, with the whitespace rules Hugging Face applies) renders a conversation into the prompt.
 */
package io.rotquant.runtime.chat;
